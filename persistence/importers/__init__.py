"""Staff import: HR's CSV and XLSX files, and the ``organization`` section of a scenario file, into a body.

``read_staff_file`` reads and checks a file on its own; ``import_staff`` compares it with the database and writes
the difference in one transaction (docs/decisions/0020-staff-import.md). The columns are in ``columns.COLUMNS``
and in the README ("Importing staff").
"""

from persistence.importers.columns import COLUMNS, REQUIRED
from persistence.importers.spec import PersonSpec, Problem, StaffFile, StaffFileError, UnitSpec, UrlPolicy, Where
from persistence.importers.staff import ImportRefused, ImportReport, import_staff, read_staff_file

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "ImportRefused",
    "ImportReport",
    "PersonSpec",
    "Problem",
    "StaffFile",
    "StaffFileError",
    "UnitSpec",
    "UrlPolicy",
    "Where",
    "import_staff",
    "read_staff_file",
]
