// The layering rule, checked in `npm test` (npm run lint:layers): each room imports only the rooms
// below it, so data flows one way (cell → kernel → engine → display → renderer). From the top:
//
//   extension/            VS Code; talks to the kernel only through kernel/protocol.ts
//   webview/              the browser pages; kernel/protocol.ts and the pure plots room
//   kernel/server.ts, cli.ts   the kernel process and the runner's entry (composition roots)
//   kernel/browser/       the kernel in a browser Web Worker: its entry and the browser host
//   kernel/node/          Node's side: the Node host, stdio framing, the interrupt watcher, entries
//   kernel/runner/        the headless runner: a kernel client and the HTML report
//   kernel/kernelService.ts  the kernel's requests on a connection (both the process and the Worker)
//   kernel/runtime/       cells: compilation, scope, interrupt, outputs, display
//   kernel/api.ts         the public 'rnn-lab' module
//   kernel/interop/       safetensors, ONNX, the PyTorch training export
//   kernel/train/         fit(), workers, checkpoints
//   kernel/seq2seq/, kernel/datasets/
//   kernel/plots/, kernel/transport/   pure or small shared pieces; kernel/io/ atomic writes (Node)
//   kernel/engine/        tensors, autograd, layers, the wasm kernels: pure
//   kernel/host/          what the core asks of the place it runs in (types and the installed host)
//   kernel/protocol.ts, kernel/nbformat.ts   types shared by both sides of the process boundary
//   kernel/processEnv.ts   the environment the kernel process is started with (extension, runner)
//   kernel/browserProtocol.ts   what the extension's browser entry posts to the kernel worker (types)
//
// The core (everything from kernel/kernelService.ts down, and kernel/browser/) runs in Node and in a
// browser Web Worker alike, so it imports no Node module: it reaches files, threads, the process,
// timers and module loading through kernel/host/ (the 'core-without-node' rules below).

/** A room may import itself and these; node built-ins and packages are not rooms. */
const rooms = {
  'kernel/host': [],
  'kernel/engine': ['kernel/host'],
  'kernel/io': [],
  'kernel/plots': ['kernel/protocol.ts'],
  'kernel/transport': ['kernel/protocol.ts'],
  'kernel/datasets': ['kernel/engine'],
  'kernel/seq2seq': ['kernel/engine', 'kernel/datasets'],
  'kernel/train': ['kernel/engine', 'kernel/datasets', 'kernel/seq2seq', 'kernel/host', 'kernel/plots', 'kernel/protocol.ts'],
  'kernel/interop': ['kernel/engine', 'kernel/datasets', 'kernel/seq2seq', 'kernel/train', 'kernel/host', 'package.json'],
  'kernel/api.ts': ['kernel/engine', 'kernel/datasets', 'kernel/seq2seq', 'kernel/train', 'kernel/interop'],
  'kernel/runtime': [
    'kernel/engine', 'kernel/datasets', 'kernel/seq2seq', 'kernel/train', 'kernel/interop', 'kernel/host', 'kernel/plots',
    'kernel/transport', 'kernel/protocol.ts',
  ],
  'kernel/kernelService.ts': ['kernel/runtime', 'kernel/api.ts', 'kernel/train', 'kernel/transport', 'kernel/protocol.ts'],
  // The Node host and its entries (dist/engine.js, dist/worker.js): the only room with Node's modules besides the runner.
  'kernel/node': ['kernel/host', 'kernel/io', 'kernel/engine', 'kernel/train', 'kernel/api.ts'],
  // The kernel in a browser Web Worker: the same core, the browser host; never kernel/node or kernel/io.
  'kernel/browser': ['kernel/host', 'kernel/kernelService.ts', 'kernel/runtime', 'kernel/train', 'kernel/engine', 'kernel/browserProtocol.ts', 'kernel/uuid.ts'],
  'kernel/browserProtocol.ts': [],
  'kernel/uuid.ts': [],
  'kernel/runner': ['kernel/transport', 'kernel/plots', 'kernel/io', 'kernel/node', 'kernel/protocol.ts', 'kernel/nbformat.ts', 'kernel/processEnv.ts'],
  'kernel/protocol.ts': [],
  'kernel/processEnv.ts': [],
  'kernel/nbformat.ts': ['kernel/protocol.ts'],
  'webview': ['kernel/protocol.ts', 'kernel/plots'],
  'extension': ['kernel/protocol.ts', 'kernel/processEnv.ts', 'kernel/browserProtocol.ts', 'kernel/uuid.ts', 'kernel/nbformat.ts', 'kernel/plots', 'webview/messages.ts', 'webview/format.ts', 'webview/jobHistory.ts'],
};

/** The rooms that run in Node and in a browser Web Worker alike. */
const CORE = '^kernel/(engine|host|datasets|seq2seq|plots|transport|train|interop|runtime|browser)/|^kernel/(api|kernelService|protocol|browserProtocol|uuid|nbformat)\\.ts$';
/** The extension's code both entries share (extension/node/ is the Node entry's own). */
const EXTENSION_SHARED = '^extension/(?!node/|tsserver-plugin/)';

/**
 * Two rules for code that also runs in a browser: no Node built-in module, and of packages their
 * browser-safe entries only ('vscode-languageserver', not 'vscode-languageserver/node'), never esbuild.
 */
const withoutNode = (name, from, why) => [
  { name: `${name}-without-node`, comment: `${why}: no Node built-in module`, severity: 'error', from: { path: from }, to: { dependencyTypes: ['core'] } },
  {
    name: `${name}-without-node-packages`,
    comment: `${why}: packages' browser-safe entries, not '/node', and never esbuild`,
    severity: 'error',
    from: { path: from },
    to: { path: ['^node_modules/vscode-[a-z-]+/node\\.js$', '^node_modules/esbuild/'] },
  },
];

const escape = (path) => path.replace(/[.]/g, '\\.');
/** A file (it has an extension) is matched exactly, a folder with everything below it. */
const pathOf = (room) => `^${escape(room)}${/\.[a-z]+$/.test(room) ? '$' : '/'}`;

module.exports = {
  forbidden: [
    ...Object.entries(rooms).map(([room, below]) => ({
      name: `layers:${room}`,
      comment: `${room} imports only ${below.length ? below.join(', ') : 'itself'} (see .dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: pathOf(room) },
      to: {
        dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: [pathOf(room), ...below.map(pathOf), '^node_modules/'],
      },
    })),
    // The core runs in a browser Web Worker too: it reaches Node only through kernel/host/ (the Node host is kernel/node/).
    ...withoutNode('core', CORE, 'The kernel core runs in a browser Web Worker too'),
    {
      name: 'browser-bundle-without-node',
      comment: 'Nothing the browser kernel bundle reaches imports a Node module (the browser build would fail)',
      severity: 'error',
      from: { path: '^kernel/browser/' },
      to: { path: '^kernel/(node|io)/|^kernel/(server|cli)\\.ts$', reachable: true },
    },
    // Node only in extension/node/ (the Node entry's launcher).
    ...withoutNode('extension', EXTENSION_SHARED, "The extension's shared code runs in the web worker extension host too"),
    {
      name: 'web-extension-without-node',
      comment: 'Nothing the web entry reaches is Node-only',
      severity: 'error',
      from: { path: '^extension/web/' },
      to: { path: '^extension/node/|^extension/extension\\.ts$|^kernel/(node|io)/', reachable: true },
    },
    {
      name: 'vscode-only-in-extension',
      comment: "Only extension/ (and its tests) import 'vscode': the kernel runs where VS Code does not",
      severity: 'error',
      from: { path: '^(kernel|webview)/' },
      to: { path: '^vscode$', dependencyTypes: ['core', 'npm', 'npm-no-pkg', 'unknown', 'undetermined'] },
    },
    {
      name: 'no-circular-rooms',
      comment: 'Rooms never import each other in a circle',
      severity: 'error',
      from: { path: '^(kernel|extension|webview)/' },
      to: { circular: true, viaOnly: { pathNot: '^kernel/engine/' } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(dist|node_modules)/|\\.d\\.ts$' },
  },
};
