// What a notebook may put into the HTML report: markdown cells, text/markdown and text/html
// outputs go through sanitize-html with this configuration. The report can come from an untrusted
// notebook, so no markup it holds may run code, load anything, or style more than its own
// elements: the configuration keeps what markdown-it emits (headings, lists, tables, code, links
// to http, https, mailto and relative ones, data: images) and the inline formatting of html()
// outputs (coloured spans, as in samples/char-rnn.ipynb), and drops everything else. The
// report's Content-Security-Policy is the second line of defence.
import sanitizeHtml from 'sanitize-html';

// sanitize-html's default tags (text, lists, tables, sections), plus images and disclosure widgets.
const TAGS = [...sanitizeHtml.defaults.allowedTags, 'img', 'details', 'summary', 'del', 'ins'];

// No id or name anywhere: they could clobber document.getElementById or the report's own
// element ids (the plots and the figure data are found by id).
const ATTRIBUTES: sanitizeHtml.IOptions['allowedAttributes'] = {
  '*': ['title', 'style', 'lang', 'dir'],
  a: ['href'],
  code: ['class'],
  img: ['src', 'alt', 'width', 'height'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan', 'scope'],
  ol: ['start', 'type'],
  details: ['open'],
};

// Only markdown-it's fenced-code class: report classes (cell, failed, plot, …) stay ours.
const CLASSES: sanitizeHtml.IOptions['allowedClasses'] = { code: ['language-*'] };

// Values inline formatting needs, and none that loads anything: no url(), no expression(),
// no position (an output must not cover the rest of the report).
const COLOR = /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\([\d\s.,%/+-]*\)|[a-z]+)$/i;
const SIZE = /^(-?[\d.]+(px|em|rem|ex|ch|pt|%)?\s*){1,4}$/i;
const KEYWORD = /^[a-z-]+$/i;
const FONT_FAMILY = /^[\w\s,'"-]+$/;
const STYLES: sanitizeHtml.IOptions['allowedStyles'] = {
  '*': {
    color: [COLOR],
    background: [COLOR],
    'background-color': [COLOR],
    'font-family': [FONT_FAMILY],
    'font-size': [SIZE],
    'font-weight': [/^(normal|bold|bolder|lighter|\d{3})$/],
    'font-style': [KEYWORD],
    'line-height': [SIZE],
    'white-space': [KEYWORD],
    'text-align': [/^(left|right|center|justify|start|end)$/],
    'text-decoration': [/^[a-z\s-]+$/i],
    'vertical-align': [KEYWORD, SIZE],
    padding: [SIZE],
    margin: [SIZE],
    border: [/^(?!.*url\s*\()[\w\s.#%(),-]+$/i],
    'border-radius': [SIZE],
  },
};

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: TAGS,
  allowedAttributes: ATTRIBUTES,
  allowedClasses: CLASSES,
  allowedStyles: STYLES,
  allowedSchemes: ['http', 'https', 'mailto'],
  // The CSP allows data: images only, so an image from elsewhere (a file next to the notebook
  // included) could not show: its src goes, its alt text stays.
  allowedSchemesByTag: { img: ['data'] },
  transformTags: { img: (tagName, attribs) => ({ tagName, attribs: /^data:/i.test(attribs.src ?? '') ? attribs : withoutSrc(attribs) }) },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Raw-text and fallback elements: their content is not markup the author meant to show, and
  // keeping it is how mutation-XSS vectors (<noscript><p title="</noscript><img …>">) get in.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'noembed', 'noframes', 'iframe', 'title', 'template', 'plaintext'],
};

function withoutSrc(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  const rest = { ...attribs };
  delete rest.src;
  return rest;
}

/** Markup from a notebook (markdown-it's output or an html() output), safe to inline in the report. */
export function sanitizeNotebookHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
