"""Judging one live submission, in the grading process: the student proxy (`student`), the
pytest plugin that runs the checks (`plugin`), the solution's reference functions
(`reference`), the image data (`datasets`), and the outcomes a check can end with (`verdicts`).
"""
