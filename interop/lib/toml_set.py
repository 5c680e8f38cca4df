"""toml_set.py FILE SECTION KEY VALUE: sets KEY = VALUE (a TOML literal) in
[SECTION] ("" for the top level), replacing the line if the key is there,
else adding it to the section, else appending the section. Keeps the rest of
the file (comments included) as it is and checks the result parses."""
import re
import sys
import tomllib

path, section, key, value = sys.argv[1:5]
with open(path, encoding="utf-8") as f:
    lines = f.read().splitlines()

header = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")
keyline = re.compile(r"^\s*" + re.escape(key) + r"\s*=")

current, start, end = "", None, None
if section == "":
    start = 0
for i, line in enumerate(lines):
    m = header.match(line)
    if m:
        if start is not None and end is None:
            end = i
        current = m.group(1).strip()
        if current == section:
            start, end = i + 1, None
if start is not None and end is None:
    end = len(lines)

new = f"{key} = {value}"
if start is None:
    lines += ["", f"[{section}]", new]
else:
    for i in range(start, end):
        if keyline.match(lines[i]):
            lines[i] = new
            break
    else:
        # After the last key of the section (before trailing blank/comment lines).
        at = end
        while at > start and (lines[at - 1].strip() == "" or lines[at - 1].lstrip().startswith("#")):
            at -= 1
        if section == "" and start == 0:
            # Top-level keys must precede the first table.
            first = next((i for i, l in enumerate(lines) if header.match(l)), len(lines))
            at = first
            while at > 0 and (lines[at - 1].strip() == "" or lines[at - 1].lstrip().startswith("#")):
                at -= 1
        lines.insert(at, new)

text = "\n".join(lines) + "\n"
tomllib.loads(text)
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
