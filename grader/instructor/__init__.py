"""Instructor tools around grading: generating assignments from solutions (`generate`), proving
an authored assignment before students see it (`validate`), and packaging an assignment for a
platform (`gradescope`, `classroom`, from the files in `templates/`). Nothing here runs while a
notebook is graded, except `run_gradescope` inside Gradescope's image."""
