#!/usr/bin/env node
// The rnn-lab command (headless runner); the code is bundled in dist/cli.js (npm run build).
require('../dist/cli.js');
