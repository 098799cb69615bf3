"""The documents layer: every file CPro produces (ODT, DOCX, PDF, CSV) is made here.

Layer: just above ``accounts`` and below every pedagogy module; it imports ``establishments`` and ``accounts`` only.

- ``documents.formats``: ``Sheet``/``Table`` (a title, paragraphs, tables) written as ODT (odfpy) or DOCX
  (python-docx); ``pdf(template, context)`` renders one of the project's HTML templates with WeasyPrint (the same
  fragment the screen and print views include); ``csv_file(rows)`` writes a CSV safe against formulas
  (``safe_cell``). Each returns a ``File`` (bytes, file name, content type).
- ``documents.producers``: a module declares how to build one kind of document from plain parameters
  (``@producers.register("learner_access.pdf")``), so the same builder serves a download in the request and a
  background task.
- ``documents.services.deliver(...)``: small documents come back in the response; large ones become a
  ``GeneratedDocument`` built by a Celery task (in-process without a broker), a private file under
  ``MEDIA_ROOT/documents/<UAI>/`` that only its owner downloads, until it expires (removed every day).
"""
