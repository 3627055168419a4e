"""The unit registry from schema 0030: a permit only where there is one, who runs the unit, and
its orientation; files written before keep importing."""

from __future__ import annotations

import pytest

from ubu_tui.errors import InputRejected
from ubu_tui.store.registry import COLUMNS, OLD_COLUMNS, export_units, get_unit, import_units

pytestmark = pytest.mark.usefixtures("english")   # matches the English wording

HEADER = ",".join(COLUMNS) + "\n"


def write(tmp_path, text: str):
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sis_home_is_registered_without_a_permit_and_as_run_by_the_state(engine, tmp_path):
    import_units(engine, write(tmp_path, HEADER + "2001,Ungdomshemmet Nord,Statens "
                               "institutionsstyrelse,556075-9549,2,,,3\n"))
    unit = get_unit(engine, 2001)
    assert unit is not None and unit.permit_ref is None
    assert (unit.operating_form, unit.orientation) == (3, 3)
    assert "2001,Ungdomshemmet Nord,Statens institutionsstyrelse,556075-9549,2,,3,3" in \
        export_units(engine)


@pytest.mark.parametrize("row,why", [
    ("2002,HVB Utan,Vård AB,556339-5630,1,,2,1", "needs its permit from IVO"),
    ("2002,Stöd Utan,Vård AB,556339-5630,3,,2,1", "needs its permit from IVO"),
    ("2002,HVB Ny,Vård AB,556339-5630,1,IVO-1,9,1", "operating_form '9' is not one of"),
    ("2002,HVB Ny,Vård AB,556339-5630,1,IVO-1,2,x", "orientation 'x' is not one of"),
    ("2002,SiS Ny,Statens institutionsstyrelse,556075-9549,2,,1,1", "run by the state"),
])
@pytest.mark.usefixtures("english")   # matches the English wording
def test_a_wrong_permit_operating_form_or_orientation_rejects_the_file(engine, tmp_path, row,
                                                                       why):
    before = export_units(engine)
    with pytest.raises(InputRejected, match=why):
        import_units(engine, write(tmp_path, HEADER + row + "\n"))
    assert export_units(engine) == before


def test_a_training_flat_may_have_no_permit_of_its_own(engine, tmp_path):
    import_units(engine, write(tmp_path, HEADER + "2003,Träningslägenheten,Vård AB,"
                               "556339-5630,4,,2,\n"))
    unit = get_unit(engine, 2003)
    assert unit is not None and unit.permit_ref is None and unit.orientation is None


def test_a_file_in_the_old_six_columns_still_imports(engine, tmp_path):
    import_units(engine, write(tmp_path, ",".join(OLD_COLUMNS) + "\n"
                               "2004,HVB Gammal,Vård AB,556339-5630,1,IVO-4-2020\n"))
    unit = get_unit(engine, 2004)
    assert unit is not None and unit.permit_ref == "IVO-4-2020" and unit.operating_form is None
