"""Checks generated Python files: they compile, import nothing they do not use, and use no
global name they do not define or import (a small part of what pyflakes checks; Debian's
python3 has no pyflakes by default).

    /usr/bin/python3 scripts/interop/check_python_style.py FILE...

Exits non-zero naming each problem. Used by test/unit/interop-torch-training.test.ts on the
files exportTorch writes.
"""

import ast
import builtins
import sys


def imported_names(tree):
    """{bound name: line} for every import."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                names[bound] = node.lineno
    return names


def exported_names(tree):
    """The strings of a module-level __all__ (re-exported names count as used)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    return set()


def defined_names(tree):
    """Every name bound anywhere in the file (assignments, definitions, parameters, loops)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def problems(path):
    source = open(path, encoding="utf-8").read()
    tree = ast.parse(source, path)
    compile(tree, path, "exec")
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    used |= exported_names(tree)
    imports = imported_names(tree)
    found = [f"{path}:{line}: '{name}' imported but unused" for name, line in imports.items() if name not in used]
    known = set(imports) | defined_names(tree) | set(dir(builtins)) | {"__file__", "__name__", "__doc__"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in known:
            found.append(f"{path}:{node.lineno}: undefined name '{node.id}'")
    return found


if __name__ == "__main__":
    everything = [p for path in sys.argv[1:] for p in problems(path)]
    for p in everything:
        print(p)
    sys.exit(1 if everything else 0)
