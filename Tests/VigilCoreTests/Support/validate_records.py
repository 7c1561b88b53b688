#!/usr/bin/env python3
"""Validates JSONL files against vigil's record schema (JSON Schema 2020-12).

Also checks that splitting on '\\n' and str.splitlines() give the same lines, so no record can be
forged by U+2028, U+0085 or other line separators. Prints one problem per line; exit 1 on any.
Usage: validate_records.py SCHEMA FILE...
"""
import json
import sys

from jsonschema import Draft202012Validator, FormatChecker

schema = json.load(open(sys.argv[1]))
validator = Draft202012Validator(schema, format_checker=FormatChecker())
problems = 0
records = 0
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    by_newline = text.split("\n")
    if by_newline and by_newline[-1] == "":
        by_newline.pop()
    if len(by_newline) != len(text.splitlines()):
        print(f"{path}: {len(by_newline)} lines by \\n but {len(text.splitlines())} by splitlines()")
        problems += 1
    for number, line in enumerate(by_newline, 1):
        records += 1
        try:
            record = json.loads(line)
        except ValueError as error:
            print(f"{path}:{number}: not JSON: {error}")
            problems += 1
            continue
        for error in validator.iter_errors(record):
            print(f"{path}:{number}: {error.json_path}: {error.message}")
            problems += 1
print(f"validated {records} records", file=sys.stderr)
sys.exit(1 if problems else 0)
