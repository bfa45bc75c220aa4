"""What the seeded network looks like: names, ids and who follows whom, as pure functions.

bench/seed.py writes it; bench/scale_bench.py reads the same functions to know which accounts
to ask for. Follows are computed in SQL from integer hashes that evaluate the same on SQLite
and PostgreSQL, so both databases hold the same network at every scale.

The shape, for N accounts (index i, 0 ≤ i < N):
- celebrities: the first few indexes, followed by 40%, 25%, 15%, 12% and 10% of everyone (400k
  followers for the first at 1M), and each following thousands of accounts back;
- a popular tier after them (N/1000 accounts) from which everyone follows two, skewed to its top;
- everyone else follows accounts spread over the rest, about follows/N - 3 each (1 to twice
  that), so an ordinary account has a few dozen followers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

ACCOUNT_BASE_MS = 1_640_995_200_000  # 2022-01-01: seeded ids lie before any real one
ACCOUNT_STEP_MS = 30_000
FOLLOW_BASE_MS = 1_735_689_600_000  # 2025-01-01
SLOTS = 256  # follow id slots per follower: celebrities 0-4, tier 8-9, the rest from 16
HEAVY_BASE_MS = FOLLOW_BASE_MS + 2_000_000_000  # celebrities' own follows
CELEBRITY_SHARE = (400, 250, 150, 120, 100)  # per mille of accounts following each
CELEBRITIES = ("news", "alice", "kate_bush", "nasa", "bob")

_FIRST_NAMES = (
    "Aaron Abigail Adam Adrian Aisha Alan Albert Alex Alexander Alexandra Ali Alice Alicia "
    "Alison Amanda Amelia Amir Amy Ana Andrea Andrew Angela Anna Anne Anthony Antonio Arjun "
    "Astrid Ben Benjamin Bianca Brian Bruno Camille Carlos Carmen Caroline Catherine Charles "
    "Charlotte Chen Chloe Chris Christian Claire Clara Daniel David Diana Diego Dmitri Elena "
    "Eli Elias Elizabeth Ella Emily Emma Eric Erik Eva Felix Fatima Fiona Francesca Gabriel "
    "George Grace Hana Hannah Harry Helen Henry Hugo Ibrahim Ines Isaac Isabel Ivan Jack Jacob "
    "James Jan Jane Javier Jessica Joanna Johan John Jonas Jose Joseph Julia Julian Karen Kate "
    "Katherine Kenji Kevin Lars Laura Lea Leo Leon Liam Lily Linda Lisa Lucas Lucia Luis Luka "
    "Maria Marie Mark Marta Martin Mary Mateo Matthew Max Maya Mei Michael Mia Miguel Mila "
    "Mohammed Nadia Nathan Nina Noah Nora Olga Oliver Olivia Omar Oscar Pablo Paul Paula Pedro "
    "Peter Priya Rachel Rafael Rahul Rosa Ruth Ryan Sam Samuel Sara Sarah Sebastian Sofia "
    "Sophie Stefan Susan Thomas Tim Tom Valentina Victor Victoria Wei William Yuki Zoe"
)
FIRST = _FIRST_NAMES.split()
_LAST_NAMES = (
    "Adams Ahmed Ali Allen Alvarez Andersen Bailey Baker Becker Bell Bianchi Brown Campbell "
    "Carter Castro Chen Clark Collins Cook Costa Cruz Davies Diaz Dubois Edwards Evans Fischer "
    "Fernandez Ferrari Fontaine Garcia Gomez Gonzalez Green Gupta Hall Hansen Harris Hernandez "
    "Hill Hoffmann Hughes Ivanov Jackson Jansen Jensen Johnson Jones Kaur Khan Kim King "
    "Kowalski Kumar Larsen Lee Lewis Li Lopez Martin Martinez Meyer Miller Mitchell Moore "
    "Morales Moreau Morgan Murphy Nakamura Nguyen Nielsen Novak Olsen Ortiz Park Patel Perez "
    "Peters Petrov Phillips Ramos Reyes Richter Rivera Roberts Robinson Rodriguez Romano Rossi "
    "Ruiz Sanchez Santos Sato Schmidt Schneider Scott Silva Singh Smith Suzuki Tanaka Taylor "
    "Thomas Thompson Torres Turner Walker Wang Weber Williams Wilson Wood Wright Wu Yamamoto "
    "Young Zhang"
)
LAST = _LAST_NAMES.split()


def mix(x: int) -> int:
    """The integer hash the SQL uses too (`hash_sql`): exact in 64-bit integers."""
    return (x * 2_654_435_761) % 4_294_967_296


def hash_sql(x: str) -> str:
    return f"((({x}) * 2654435761) % 4294967296)"


def account_id(i: int) -> int:
    """Seeded account i's id (time-ordered like tandem's own ids, spaced 30 s apart)."""
    return (ACCOUNT_BASE_MS + i * ACCOUNT_STEP_MS) * 65536 + i % 65536


def account_id_sql(i: str) -> str:
    return f"(({ACCOUNT_BASE_MS} + ({i}) * {ACCOUNT_STEP_MS}) * 65536 + ({i}) % 65536)"


def follow_id(i: int, slot: int) -> int:
    return (FOLLOW_BASE_MS + i * SLOTS + slot) * 65536


def moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def username(i: int) -> str:
    """Unique: every generated name ends in its index, celebrities' names have no digits."""
    if i < len(CELEBRITIES):
        return CELEBRITIES[i]
    first, last = FIRST[mix(i) % len(FIRST)].lower(), LAST[mix(i * 7 + 3) % len(LAST)].lower()
    return (f"{first}{i}", f"{first}_{last}{i}", f"{last}{first[0]}{i}", f"{first}{last[0]}{i}")[
        i % 4
    ]


def display_name(i: int) -> str:
    if i < len(CELEBRITIES):
        return CELEBRITIES[i].replace("_", " ").title()
    first, last = FIRST[mix(i) % len(FIRST)], LAST[mix(i * 7 + 3) % len(LAST)]
    kind = mix(i * 13 + 5) % 20
    return "" if kind == 0 else first if kind == 1 else f"{first} {last}"


def locked(i: int) -> bool:
    return i >= len(CELEBRITIES) and mix(i * 17 + 1) % 100 == 0


@dataclass(frozen=True)
class Shape:
    accounts: int
    follows: int

    @property
    def celebrities(self) -> int:
        return min(len(CELEBRITIES), self.accounts // 100)

    @property
    def tier_end(self) -> int:
        """Index after the popular tier (which starts after the celebrities)."""
        return self.celebrities + max(10, self.accounts // 1000)

    @property
    def rest(self) -> int:
        """How many accounts the ordinary follows spread over (those from tier_end on)."""
        return self.accounts - self.tier_end

    @property
    def spread(self) -> int:
        """Most ordinary follows per account (the average is about half of it)."""
        celebrities = sum(CELEBRITY_SHARE) / 1000 + self.celebrities * self.heavy / self.accounts
        per_account = self.follows / self.accounts - celebrities - 2
        most = max(1, 2 * round(per_account) - 1)
        return min(most, SLOTS - 16, max(1, (self.rest - 1) // 2))

    @property
    def heavy(self) -> int:
        """How many accounts each celebrity follows."""
        return min(5000, self.rest // 5)

    def check(self) -> None:
        if self.accounts < 1000:
            raise SystemExit("seed at least 1000 accounts")
        if self.accounts * ACCOUNT_STEP_MS > 4 * 365 * 86_400_000:
            raise SystemExit("at most ~4M accounts: seeded ids must stay in the past")


def relationship_targets(shape: Shape) -> dict[str, list[int]]:
    """Indexes of the accounts the viewer relates to, by kind (disjoint, all ordinary)."""
    start, stride = shape.tier_end + 1, max(1, shape.rest // 120)
    picks = [start + k * stride for k in range(100) if start + k * stride < shape.accounts]
    picks = [i for i in picks if not locked(i)]
    kinds = {
        "follows": picks[0:30],
        "followers": picks[20:45],  # 10 of them mutual
        "blocks": picks[45:47],
        "blocked_by": picks[47:48],
        "mutes": picks[48:50],
        "requests_to_viewer": picks[50:52],
        "notes": picks[0:2],
        "endorsements": picks[2:4],
    }
    return kinds


def locked_target(shape: Shape) -> int:
    """A locked ordinary account: the viewer's follow request waits for it."""
    return next(i for i in range(shape.tier_end, shape.accounts) if locked(i))
