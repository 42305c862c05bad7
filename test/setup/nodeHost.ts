// Unit tests import the kernel's modules directly: the Node host is installed first, as the
// kernel's entry points do (kernel/node/install.ts).
import '../../kernel/node/install';
