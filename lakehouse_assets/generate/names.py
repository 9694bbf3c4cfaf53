"""Word lists for plausible master data: people, streets, products.

A few names carry non-ASCII letters so every reader is exercised with real UTF-8,
and a few addresses carry commas so CSV writers must quote them (RFC 4180).
"""

from __future__ import annotations

import unicodedata

import numpy as np

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
    "Thomas", "Sarah", "Charles", "Karen", "Priya", "Arjun", "Ananya", "Rahul",
    "Yuki", "Haruto", "Sakura", "Ren", "Lukas", "Anna", "Jürgen", "Lena", "François",
    "Chloé", "Hélène", "Mathis", "Olivia", "Noah", "Zoë", "José", "Søren", "Aoife",
    "Liam", "Emma", "Oliver", "Charlotte", "Jack", "Isla", "Wei", "Mei",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Wilson", "Taylor", "Clarke", "Walker", "Wright", "Evans", "Müller", "Schmidt",
    "Schneider", "Fischer", "Weber", "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau",
    "Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Sato", "Suzuki", "Takahashi",
    "Tanaka", "Watanabe", "Tremblay", "Gagnon", "Roy", "Côté", "Nguyen", "Kelly",
    "O'Brien", "MacDonald", "Thompson", "White", "Harris", "Lewis", "Young", "King",
)

STREETS = (
    "High Street", "Main Street", "Station Road", "Church Lane", "Park Avenue",
    "Hauptstraße", "Bahnhofstraße", "Rue de la Paix", "Avenue Victor Hugo",
    "MG Road", "Chuo-dori", "King Street West", "George Street", "Queen Street",
    "Elm Street", "Market Street", "Sunset Boulevard", "Lake Road",
)

STORE_SUFFIXES = ("Central", "Mall", "Outlet", "Plaza", "Station", "Riverside", "Downtown")

EMAIL_DOMAINS = ("example.com", "mail.example.org", "inbox.example.net", "post.example.de")

# category -> (nouns, median list price in USD)
CATEGORIES: dict[str, tuple[tuple[str, ...], float]] = {
    "Electronics": (("Headphones", "Speaker", "Charger", "Smartwatch", "Tablet", "Camera"), 120.0),
    "Clothing": (("T-Shirt", "Jeans", "Jacket", "Sneakers", "Scarf", "Hoodie"), 45.0),
    "Home & Kitchen": (("Blender", "Kettle", "Pan Set", "Lamp", "Towel Set", "Mug"), 40.0),
    "Sports": (("Yoga Mat", "Football", "Dumbbells", "Racket", "Water Bottle", "Backpack"), 35.0),
    "Beauty": (("Face Cream", "Shampoo", "Perfume", "Lipstick", "Hair Dryer", "Sunscreen"), 25.0),
    "Toys": (("Puzzle", "Building Blocks", "Plush Bear", "Board Game", "Kite", "Robot Kit"), 30.0),
    "Books": (("Cookbook", "Novel", "Atlas", "Travel Guide", "Notebook", "Comic"), 18.0),
    "Grocery": (("Coffee Beans", "Green Tea", "Olive Oil", "Chocolate", "Pasta", "Honey"), 9.0),
}

ADJECTIVES = (
    "Classic", "Deluxe", "Eco", "Premium", "Compact", "Smart", "Organic", "Ultra",
    "Vintage", "Essential", "Pro", "Travel", "Family", "Mini",
)


def pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """One uniformly chosen element (a Python str, not a numpy scalar)."""
    return options[int(rng.integers(0, len(options)))]


def person_name(rng: np.random.Generator) -> tuple[str, str]:
    return pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES)


def ascii_slug(text: str) -> str:
    """`Jürgen O'Brien` -> `jurgenobrien`: for e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def street_address(rng: np.random.Generator) -> str:
    """A street address; about one in five has a unit, written after a comma."""
    address = f"{int(rng.integers(1, 400))} {pick(rng, STREETS)}"
    if rng.random() < 0.2:
        address += f", Unit {int(rng.integers(1, 60))}"
    return address


def phone_number(rng: np.random.Generator, country: str) -> str:
    """A fictional phone number in a country-flavoured format."""
    prefix = {"USA": "+1", "Canada": "+1", "UK": "+44", "Germany": "+49", "France": "+33",
              "India": "+91", "Japan": "+81", "Australia": "+61"}[country]
    return f"{prefix} {int(rng.integers(100, 999))} {int(rng.integers(1000000, 9999999))}"
