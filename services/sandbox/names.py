"""Name pools and organisation structure of the simulated Belgian company."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    weight: float
    teams: tuple[str, ...]
    titles: tuple[str, ...]
    # relative preference per app key, multiplied with the general popularity
    app_bias: tuple[tuple[str, float], ...] = ()


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "Financiën",
        0.10,
        ("Boekhouding", "Controlling", "Aankoop"),
        ("Boekhouder", "Financial Controller", "Aankoper", "Financieel Analist"),
        (("excel", 2.5), ("powerpoint", 0.8)),
    ),
    DepartmentSpec(
        "Sales",
        0.16,
        ("Key Accounts", "Inside Sales", "Benelux Sales"),
        ("Account Manager", "Sales Representative", "Key Account Manager", "Sales Director"),
        (("outlook", 1.8), ("powerpoint", 1.8), ("excel", 0.7)),
    ),
    DepartmentSpec(
        "HR / Personeelszaken",
        0.07,
        ("Rekrutering", "Payroll", "Learning & Development"),
        ("HR Business Partner", "Recruiter", "Payroll Officer", "L&D Coördinator"),
        (("word", 1.8), ("outlook", 1.3)),
    ),
    DepartmentSpec(
        "IT",
        0.12,
        ("Service Desk", "Infrastructure", "Development", "Security"),
        ("Software Engineer", "Systeembeheerder", "Service Desk Agent", "Security Analyst"),
        (("chat", 1.5), ("loop", 3.0), ("onenote", 1.5)),
    ),
    DepartmentSpec(
        "Klantendienst",
        0.17,
        ("Frontoffice", "Backoffice", "Klachtenbehandeling"),
        ("Klantendienstmedewerker", "Teamleider Klantendienst", "Customer Success Manager"),
        (("outlook", 1.6), ("teams", 1.3), ("powerpoint", 0.4)),
    ),
    DepartmentSpec(
        "Marketing",
        0.08,
        ("Content", "Digital", "Events"),
        ("Marketing Manager", "Content Creator", "Digital Marketeer", "Eventcoördinator"),
        (("powerpoint", 2.0), ("word", 1.6), ("loop", 1.5)),
    ),
    DepartmentSpec(
        "Juridische Zaken",
        0.05,
        ("Contracten", "Compliance"),
        ("Jurist", "Compliance Officer", "Legal Counsel"),
        (("word", 2.5), ("excel", 0.5)),
    ),
    DepartmentSpec(
        "Operations",
        0.20,
        ("Logistiek", "Planning", "Facility"),
        ("Planner", "Logistiek Medewerker", "Operations Manager", "Facility Manager"),
        (("excel", 1.5), ("chat", 0.8)),
    ),
    DepartmentSpec(
        "Directie",
        0.05,
        ("Management", "Strategy"),
        ("CEO", "CFO", "COO", "Chief of Staff", "Strategy Advisor"),
        (("powerpoint", 1.5), ("outlook", 1.5)),
    ),
)

OFFICES: tuple[tuple[str, float], ...] = (
    ("Gent", 0.30),
    ("Antwerpen", 0.25),
    ("Brussel", 0.25),
    ("Leuven", 0.12),
    ("Hasselt", 0.05),
    ("Remote", 0.03),
)

FLEMISH_GIVEN = (
    "Lotte", "Jens", "Wout", "Lien", "Pieter", "Annelies", "Bram", "Femke", "Thomas", "Sofie",
    "Koen", "Griet", "Arne", "Elke", "Stijn", "Hanne", "Tom", "Ine", "Jeroen", "Marieke",
    "Ruben", "Nele", "Kobe", "Jolien", "Dries", "Sien", "Lars", "Fien", "Wim", "Ellen",
    "Seppe", "Britt", "Joris", "Leen", "Robbe", "Charlotte", "Maarten", "Eline", "Bart", "Kaat",
)  # fmt: skip
FLEMISH_FAMILY = (
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Van den Broeck", "Dubois", "Lambert", "Vermeulen", "Hermans",
    "Aerts", "Pauwels", "De Clercq", "Van Damme", "Verstraete", "Desmet", "Martens",
    "Van de Velde", "Declercq", "Coppens", "Vandenberghe", "De Backer", "Segers", "Smets",
    "Verhoeven", "Vervoort", "D'Hondt",
)  # fmt: skip
INTERNATIONAL_NAMES = (
    ("Mohamed", "El Amrani"), ("Fatima", "Benali"), ("Ana", "Silva"), ("Piotr", "Nowak"),
    ("Priya", "Sharma"), ("Emma", "Dubois"), ("Yusuf", "Demir"), ("Elif", "Yilmaz"),
    ("Lucas", "Moreau"), ("Chloé", "Lefèvre"), ("Giulia", "Rossi"), ("Matteo", "Bianchi"),
    ("Aisha", "Diallo"), ("Kwame", "Mensah"), ("Sofía", "García"), ("Mateo", "Fernández"),
    ("Anna", "Kowalska"), ("Ioana", "Popescu"), ("Wei", "Zhang"), ("Hiroshi", "Tanaka"),
    ("Olga", "Ivanova"), ("Noah", "Müller"), ("Léa", "Martin"), ("Omar", "Haddad"),
    ("Zeynep", "Kaya"), ("João", "Pereira"), ("Nadia", "Bouzid"), ("Samuel", "Okafor"),
)  # fmt: skip
