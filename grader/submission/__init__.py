"""What was handed in, and for which assignment: reading a notebook (`notebook`), the course
and its one assignment lookup (`course`), and finding a class's notebooks (`discover`)."""
