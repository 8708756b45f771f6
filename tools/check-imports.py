#!/usr/bin/env python3
"""Checks every `import` of every Swift file under Sources/ (issue 19).

    tools/check-imports.py [--verbose]

An import passes when the file uses a name the imported module declares:
- a Swift module (a folder of Sources/ with .swift files): a public type, top-level function,
  variable or operator it declares, named in the file without a leading `.` (or as `Module.`),
  or a member of its public types and extensions, named after a `.` (Embedded Swift needs the
  import for a member too: host Swift finds members through any module loaded);
- a C module (a folder of Sources/ with headers): a function, type, tag, enumerator or macro
  its headers declare (read from the C preprocessor's output), named in the file; and the
  file must be one of the module's wrappers (WRAPPERS below): C stays behind them.
An import the file needs only in Embedded Swift carries `// embedded:` and the reason on
its line; it is listed, not checked. Ends with `imports: N passed, N failed`.
"""
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = os.path.join(REPO, "Sources")

# The only files (or folders, ending in /) allowed to import each C module.
WRAPPERS = {
    "CPerchSystem": ["PerchSystem/"],
    "CPerchV4L2": ["PerchDevices/Camera/"],
    "CPerchALSA": ["PerchDevices/Microphone/"],
    "CPerchGPIO": ["PerchDevices/GPIO/GpiodV1.swift"],
    "CPerchJPEG": ["PerchJPEG/TurboJPEG.swift"],
    "CPerchMQTT": ["PerchMQTT/Mosquitto.swift"],
}

# Modules of the toolchain: what a use of each looks like.
TOOLCHAIN = {
    "Synchronization": re.compile(r"^(Atomic\w*|Mutex|WordPair)$"),
    # Clang's intrinsics headers (arm_neon.h, immintrin.h) as a module.
    "_Builtin_intrinsics": re.compile(r"^(_mm\w+|__m\d+\w*|v\w+_[su]\d+|u?int\d+x\d+(x\d+)?_t)$"),
}

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SWIFT_DECL = re.compile(r"\b(?:struct|class|enum|protocol|typealias|actor|func|var|let|case)\s+([A-Za-z_][A-Za-z0-9_]*)")
OPERATOR_DECL = re.compile(r"\bfunc\s+([^\sA-Za-z0-9_(<]+)\s*[(<]")


def strip_swift(text):
    """The code without comments and string literals (each literal becomes "")."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            out.append('""')
            i = n if j < 0 else j + 3
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def swift_files(module_dir):
    for root, _, files in os.walk(module_dir):
        for name in sorted(files):
            if name.endswith(".swift"):
                yield os.path.join(root, name)


def public_names(module_dir):
    """(free names, member names): what another module can name after importing this one.
    Free: public types, functions, variables and operators at file scope. Members: public
    members (properties, methods, nested types, enum cases) of its types and extensions,
    named after a `.`; Embedded Swift needs the import to use any of them."""
    free, members = set(), set()
    for path in swift_files(module_dir):
        code = strip_swift(open(path, encoding="utf-8").read())
        stack = []  # per open brace: "public" when its members are public by default or may be
        for line in code.split("\n"):
            stripped = line.strip()
            depth = len(stack)
            is_public = re.search(r"\b(public|open)\b", stripped) is not None
            opener = re.search(r"\b(extension|struct|class|enum|protocol|actor)\s+[A-Za-z_]", stripped)
            enclosing_public = bool(stack) and stack[-1] == "public"
            for m in SWIFT_DECL.finditer(stripped):
                keyword = m.group(0).split()[0]
                if depth == 0:
                    if is_public and keyword != "case":
                        free.add(m.group(1))
                elif enclosing_public and (is_public or keyword == "case"):
                    members.add(m.group(1))
            if depth == 0:
                for m in OPERATOR_DECL.finditer(stripped):
                    if is_public:
                        free.add(m.group(1))
            for ch in stripped:
                if ch == "{":
                    # A public type's or any extension's members may be public; a function body's are not.
                    if opener and (is_public or opener.group(1) == "extension"):
                        stack.append("public")
                    else:
                        stack.append("other")
                    opener = None
                elif ch == "}":
                    if stack:
                        stack.pop()
    return free, members


def c_names(module_dir):
    """Every name a C module's headers declare: functions, types, tags, enumerators, macros."""
    headers = []
    include = os.path.join(module_dir, "include")
    for folder in (include, module_dir):
        if os.path.isdir(folder):
            headers += [os.path.join(folder, h) for h in sorted(os.listdir(folder)) if h.endswith(".h")]
        if headers:
            break
    names = set()
    for header in headers:
        flags = ["-I", include] if os.path.isdir(include) else []
        text = subprocess.run(["cc", "-E", "-P"] + flags + [header], capture_output=True, text=True, check=True).stdout
        macros = subprocess.run(["cc", "-E", "-dM"] + flags + [header], capture_output=True, text=True, check=True).stdout
        for m in re.finditer(r"^#define\s+([A-Za-z_]\w*)\s+\S", macros, re.M):
            if not m.group(1).startswith("_"):
                names.add(m.group(1))
        text = re.sub(r"__attribute__\s*\(\(.*?\)\)", " ", text)
        for m in re.finditer(r"\b(?:struct|union|enum)\s+([A-Za-z_]\w*)", text):
            names.add(m.group(1))
        for m in re.finditer(r"\btypedef\b[^;{]*?(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})?[^;]*?\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*;", text):
            names.add(m.group(1))
        for m in re.finditer(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(", text):
            names.add(m.group(1))
        # functions: a name followed by "(" at file scope, i.e. not inside a body.
        depth = 0
        for m in re.finditer(r"[{}]|\b([A-Za-z_]\w*)\s*\(", text):
            if m.group(0) == "{":
                depth += 1
            elif m.group(0) == "}":
                depth -= 1
            elif depth == 0:
                names.add(m.group(1))
        for body in re.finditer(r"\benum\b[^{;]*\{([^}]*)\}", text):
            for m in re.finditer(r"(?:^|,)\s*([A-Za-z_]\w*)", body.group(1)):
                names.add(m.group(1))
        for m in re.finditer(r"\bstatic\s+const\s+[\w\s]+?\b([A-Za-z_]\w*)\s*=", text):
            names.add(m.group(1))
    keywords = {"int", "char", "void", "long", "short", "unsigned", "signed", "const", "static", "inline",
                "extern", "struct", "union", "enum", "typedef", "if", "for", "while", "return", "sizeof",
                "switch", "do", "else", "volatile", "register", "restrict", "float", "double", "defined"}
    return names - keywords


def file_identifiers(code):
    """(free identifiers, identifiers after a dot, Module.Name pairs)."""
    free, dotted, qualified = set(), set(), set()
    for m in IDENT.finditer(code):
        before = code[max(0, m.start() - 80):m.start()].rstrip()
        if before.endswith("."):
            dotted.add(m.group(0))
            q = re.search(r"([A-Za-z_]\w*)\s*\.$", before)
            if q:
                qualified.add(q.group(1))
        else:
            free.add(m.group(0))
    return free, dotted, qualified


def main():
    verbose = "--verbose" in sys.argv
    modules = {}
    for name in sorted(os.listdir(SOURCES)):
        folder = os.path.join(SOURCES, name)
        if not os.path.isdir(folder):
            continue
        if any(swift_files(folder)):
            modules[name] = ("swift",) + public_names(folder)
        else:
            modules[name] = ("c", c_names(folder), set())
    declared_in_swift = set()
    for name, (kind, free, members) in modules.items():
        if kind == "swift":
            declared_in_swift |= free
    passed = failed = 0
    for module in sorted(m for m, v in modules.items() if v[0] == "swift"):
        for path in swift_files(os.path.join(SOURCES, module)):
            rel = os.path.relpath(path, SOURCES)
            raw = open(path, encoding="utf-8").read()
            code = strip_swift(raw)
            free, dotted, qualified = file_identifiers(code)
            operators = set(re.findall(r"[^\sA-Za-z0-9_(){}\[\],:;\"'`.]+", code))
            for line in raw.split("\n"):
                m = re.match(r"\s*(?:@[\w()]+\s+)*import\s+(?:(?:struct|class|enum|func|var|typealias)\s+)?([A-Za-z_]\w*)", line)
                if not m:
                    continue
                imported = m.group(1)
                label = rel + ": import " + imported
                if "// embedded:" in line:
                    print("embedded-only: " + label + " (" + line.split("// embedded:", 1)[1].strip() + ")")
                    passed += 1
                    continue
                if imported in TOOLCHAIN:
                    used = sorted(n for n in free if TOOLCHAIN[imported].match(n))
                    if used:
                        passed += 1
                        if verbose:
                            print("ok: " + label + " (" + ", ".join(used[:5]) + ")")
                    else:
                        print("FAIL: " + label + ": uses none of its names")
                        failed += 1
                    continue
                if imported not in modules:
                    print("FAIL: " + label + ": not a module under Sources/")
                    failed += 1
                    continue
                kind, names, members = modules[imported]
                problem = None
                if kind == "c":
                    allowed = WRAPPERS.get(imported, [])
                    if not any(rel == a or (a.endswith("/") and rel.startswith(a)) for a in allowed):
                        problem = "a C module outside its wrappers (" + ", ".join(allowed) + ")"
                    used = sorted((free | dotted) & names - declared_in_swift)
                else:
                    used = sorted((free & names) | (dotted & members) | (operators & names)
                                  | ({imported} & qualified))
                if not used and problem is None:
                    problem = "uses none of its names"
                if problem:
                    print("FAIL: " + label + ": " + problem)
                    failed += 1
                else:
                    if verbose:
                        print("ok: " + label + " (" + ", ".join(used[:5]) + (", ..." if len(used) > 5 else "") + ")")
                    passed += 1
    print("imports: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
