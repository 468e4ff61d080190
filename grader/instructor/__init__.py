"""Instructor tools around grading: generating assignments from solutions (`generate`), and
packaging an assignment for a platform (`gradescope`, `classroom`, from the files in
`templates/`). Nothing here runs while a notebook is graded, except `run_gradescope` inside
Gradescope's image."""
