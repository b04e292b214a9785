"""The document room: the forms HR prints and files (PDF), the exports it downloads (XLSX, CSV) and the charts.

Everything here works from frozen view models (:mod:`documents.views`) and never touches the database:
``application.queries`` builds the views (with R-2 applied), this room turns them into files.

* :mod:`documents.views` — one frozen dataclass per document and per export row;
* :mod:`documents.pdf` — ``render_pdf(view) -> bytes`` through typst, one template per document;
* :mod:`documents.xlsx` — streaming XLSX and CSV writers (``write_results(rows, path)`` …);
* :mod:`documents.charts` — the 360 radar and the category distribution as SVG/PNG;
* :mod:`documents.labels`, :mod:`documents.formatting` — every word in kk/ru/en, numbers and dates by Babel;
* :mod:`documents.samples` — realistic views of every document for tests and previews.
"""
