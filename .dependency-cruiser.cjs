// The layering rule, checked in `npm test` (npm run lint:layers): each room imports only the rooms
// below it, so data flows one way (cell → kernel → engine → display → renderer). From the top:
//
//   extension/            VS Code; talks to the kernel only through kernel/protocol.ts
//   webview/              the browser pages; kernel/protocol.ts and the pure plots room
//   kernel/server.ts, cli.ts   the kernel process and the runner's entry (composition roots)
//   kernel/runner/        the headless runner: a kernel client and the HTML report
//   kernel/runtime/       cells: compilation, scope, interrupt, outputs, display
//   kernel/api.ts         the public 'rnn-lab' module
//   kernel/interop/       safetensors, ONNX, the PyTorch training export
//   kernel/train/         fit(), workers, checkpoints
//   kernel/seq2seq/, kernel/datasets/
//   kernel/plots/, kernel/transport/, kernel/io/   pure or small shared pieces
//   kernel/engine/        tensors, autograd, layers, the wasm kernels: pure
//   kernel/protocol.ts, kernel/nbformat.ts   types shared by both sides of the process boundary

/** A room may import itself and these; node built-ins and packages are not rooms. */
const rooms = {
  'kernel/engine': [],
  'kernel/io': [],
  'kernel/plots': ['kernel/protocol.ts'],
  'kernel/transport': ['kernel/protocol.ts'],
  'kernel/datasets': ['kernel/engine'],
  'kernel/seq2seq': ['kernel/engine', 'kernel/datasets'],
  'kernel/train': ['kernel/engine', 'kernel/datasets', 'kernel/seq2seq', 'kernel/io', 'kernel/plots', 'kernel/protocol.ts'],
  'kernel/interop': ['kernel/engine', 'kernel/datasets', 'kernel/seq2seq', 'kernel/train', 'kernel/io', 'package.json'],
  'kernel/api.ts': ['kernel/engine', 'kernel/datasets', 'kernel/seq2seq', 'kernel/train', 'kernel/interop'],
  'kernel/runtime': [
    'kernel/engine', 'kernel/datasets', 'kernel/seq2seq', 'kernel/train', 'kernel/interop', 'kernel/io', 'kernel/plots',
    'kernel/transport', 'kernel/protocol.ts',
  ],
  'kernel/runner': ['kernel/transport', 'kernel/plots', 'kernel/io', 'kernel/protocol.ts', 'kernel/nbformat.ts'],
  'kernel/protocol.ts': [],
  'kernel/nbformat.ts': ['kernel/protocol.ts'],
  'webview': ['kernel/protocol.ts', 'kernel/plots'],
  'extension': ['kernel/protocol.ts', 'kernel/nbformat.ts', 'kernel/plots', 'webview/messages.ts', 'webview/format.ts', 'webview/jobHistory.ts'],
};

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
