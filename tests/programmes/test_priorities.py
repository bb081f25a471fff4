import pytest

from programmes.models import StrategyPriority


@pytest.mark.django_db
def test_the_strategys_eleven_priorities_exist_in_order():
    codes = list(StrategyPriority.objects.filter(strategy="2021-23").values_list("code", flat=True))
    assert codes == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2"]
    assert StrategyPriority.objects.get(code="2.1").theme == "Diverse perspectives"
