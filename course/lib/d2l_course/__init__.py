"""The D2L course's own modules for its checks, imported in the grading process only
(`[checks] path = ["lib"]` in course.toml; the student's kernel never sees this folder):

- `in_kernel`: the grader's own versions of what students write (softmax, cross_entropy, relu),
  the grader's models and training loops, which checks send into the kernel with
  `student.define(...)` (the module's whole text, with the engine's kernel helpers);
- `models`: the grading-side forward of the course's models and the judging of trained
  parameters and synthetic regression data;
- `data`: the image data the training checks use (the bundled digits, or Fashion-MNIST);
- `fixtures`: the pytest fixture `image_data` (`[checks] fixtures`).
"""
