"""torchrun, working around a bug of torch 1.13 on Python >= 3.11 (Debian 12's python3-torch).

Python 3.11 no longer yields an IntFlag's zero and multi-bit members when the class is
iterated, so torch 1.13's Std.from_str("0") (the default of --redirects and --tee) returns
None and torchrun stops before it starts a process ("'NoneType' object has no attribute
'get'"). This script fixes from_str where it is broken and runs torchrun's own main() with
the same arguments:

    /usr/bin/python3 scripts/interop/torchrun.py --standalone --nproc_per_node=2 train.py

Where torchrun works (torch >= 2, or Python < 3.11) it is torchrun itself.
"""

import re
import sys

from torch.distributed.elastic.multiprocessing import api
from torch.distributed.run import main


def std_from_str(text):
    """Std for "3", or {local rank: Std} for "0:1,1:2", as torchrun documents it."""
    if re.fullmatch(r"[0-7]", text):
        return api.Std(int(text))
    return {int(rank): api.Std(int(value)) for rank, value in (m.split(":") for m in text.split(","))}


if api.Std.from_str("0") is None:
    api.Std.from_str = staticmethod(std_from_str)

if __name__ == "__main__":
    sys.exit(main())
