#!/bin/sh
# Extract the messages, merge them into every language's .po and compile the .mo files, for the
# engine (grader/locale) and the built-in course (course/locale). Run from the repository's root
# with Babel installed (the test extra); then translate what is new (docs/translating.md).
set -e
pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o grader/locale/grader.pot .
pybabel -q update -i grader/locale/grader.pot -d grader/locale -D grader --ignore-obsolete --ignore-pot-creation-date
pybabel -q extract -F babel-course.cfg -k N_ -k check --no-location --sort-output --omit-header -o course/locale/course.pot .
pybabel -q update -i course/locale/course.pot -d course/locale -D course --ignore-obsolete --ignore-pot-creation-date
pybabel -q compile -d grader/locale -D grader
pybabel -q compile -d course/locale -D course
