// What `require('rnn-lab')` (dist/engine.js) is in Node: the public API on the Node host.
import './install';

export * from '../api';
