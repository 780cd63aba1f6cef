"""Names for the people a scenario leaves unnamed, generated with Faker from the run's seed.

Faker's output can change between releases (ECOSYSTEM.md §9), so the project pins it exactly,
uses one locale, derives one seed per person (adding a person never renames the others) and
stores the names in the run's record: a replay uses the stored names, never new ones.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .placeholders import CUSTOMER_KEY
from .scenario import Scenario

if TYPE_CHECKING:
    from faker import Faker

LOCALE = "en_US"


@lru_cache(maxsize=1)
def _faker() -> "Faker":
    # Imported here: Faker costs ~0.1 s to import and most callers never need it.
    from faker import Faker

    return Faker(LOCALE)


def generate_names(scenario: Scenario, seed: int) -> dict[str, str]:
    """Names for every unnamed person and customer of ``scenario``, the same for the same seed.

    People are keyed by their id, customers by ``customer.ID`` (ids cannot contain a dot).
    """
    names: dict[str, str] = {}
    for person in scenario.people:
        if not person.name:
            fake = _faker()
            fake.seed_instance(f"{seed}:{scenario.meta.id}:{person.id}")
            # First and last name only: fake.name() adds titles like "Mr." and "Jr.".
            names[person.id] = f"{fake.first_name()} {fake.last_name()}"
    for customer in scenario.customers:
        if not customer.name:
            fake = _faker()
            fake.seed_instance(f"{seed}:{scenario.meta.id}:customer:{customer.id}")
            names[CUSTOMER_KEY.format(customer.id)] = fake.company()
    return names
