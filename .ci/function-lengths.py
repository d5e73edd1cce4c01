#!/usr/bin/env python3
"""Lists Swift functions, initialisers and closures-as-properties longer than a limit.

Usage: .ci/function-lengths.py [--limit 60] [DIR ...]   (default: Sources)

A function's length is its lines from the declaration's first line to its
closing brace. Braces inside string literals and comments are ignored
(multi-line string literals included), which is enough for this code base.
Exit status 1 when any function is over the limit, else 0.
"""
import argparse
import pathlib
import re
import sys

DECL = re.compile(r'^\s*(?:@[\w()":., ]+\s+)*(?:(?:public|package|internal|private|fileprivate|open|static|class|final|'
                  r'override|mutating|nonmutating|nonisolated|convenience|required|@inlinable|@inline\(__always\)|'
                  r'@discardableResult)\s+)*(func\s+[^\s(<]+|init[?!]?\s*[(<]|deinit\b|subscript\s*[(<])')


def code_chars(lines):
    """Yields (line_index, char) for characters outside strings and comments."""
    in_block = 0
    in_multi = False
    for index, line in enumerate(lines):
        i = 0
        in_string = False
        while i < len(line):
            rest = line[i:]
            if in_multi:
                if rest.startswith('"""'):
                    in_multi = False
                    i += 3
                    continue
                i += 1
                continue
            if in_block:
                if rest.startswith('*/'):
                    in_block -= 1
                    i += 2
                    continue
                if rest.startswith('/*'):
                    in_block += 1
                    i += 2
                    continue
                i += 1
                continue
            if in_string:
                if line[i] == '\\':
                    i += 2
                    continue
                if line[i] == '"':
                    in_string = False
                i += 1
                continue
            if rest.startswith('//'):
                break
            if rest.startswith('/*'):
                in_block += 1
                i += 2
                continue
            if rest.startswith('"""'):
                in_multi = True
                i += 3
                continue
            if line[i] == '"':
                in_string = True
                i += 1
                continue
            yield index, line[i]
            i += 1


def functions(path):
    lines = path.read_text(encoding='utf-8').split('\n')
    chars = list(code_chars(lines))
    # Map line -> position of its first code character in `chars`.
    first = {}
    for position, (index, _) in enumerate(chars):
        first.setdefault(index, position)
    for index, line in enumerate(lines):
        match = DECL.match(line)
        if not match or index not in first:
            continue
        depth = 0
        opened = False
        for position in range(first[index], len(chars)):
            at, char = chars[position]
            if char == '{':
                depth += 1
                opened = True
            elif char == '}':
                depth -= 1
                if opened and depth == 0:
                    yield match.group(1).strip(), index + 1, at - index + 1
                    break
            elif not opened and char == ';':
                break  # a protocol requirement: no body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--limit', type=int, default=60)
    parser.add_argument('dirs', nargs='*', default=['Sources'])
    args = parser.parse_args()
    over = []
    for directory in args.dirs:
        for path in sorted(pathlib.Path(directory).rglob('*.swift')):
            for name, line, length in functions(path):
                if length > args.limit:
                    over.append((length, f'{path}:{line}', name))
    for length, where, name in sorted(over, reverse=True):
        print(f'{length:5d}  {where}  {name}')
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main())
