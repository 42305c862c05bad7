// Installs the Node host (host.ts) on this thread. Entry points import it first, before anything
// of the core: `import './node/install';`.
import { hasHost, installHost } from '../host/index';
import { nodeHost } from './host';

if (!hasHost()) installHost(nodeHost());
