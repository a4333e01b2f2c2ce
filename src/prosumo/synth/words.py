"""Word banks and templates for the synthetic outdoor-gear community, in English and Spanish.

The company is an imaginary outdoor-gear maker. Every text the generator writes (idea
titles and bodies, comments, staff answers, campaign briefs, display names) is built from
the tables below, so the same seed always gives the same words. Spanish product names
carry their article (``la mochila``) so that templates need no gender agreement; the
contractions ``a el`` and ``de el`` are fixed by :func:`tidy_spanish`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGES = ("en", "es")

TIERS = ("bronze", "silver", "gold")
TIER_PROBABILITIES = (0.6, 0.3, 0.1)

CHANNELS = ("email", "social", "search", "referral", "event", "partner")
CHANNEL_PROBABILITIES = (0.25, 0.25, 0.20, 0.15, 0.05, 0.10)

COUNTRIES = {
    "en": (("US", 0.50), ("GB", 0.25), ("CA", 0.15), ("AU", 0.10)),
    "es": (("ES", 0.40), ("MX", 0.35), ("AR", 0.15), ("CO", 0.10)),
}

STAFF_ROLES = ("admin", "moderator", "reviewer")


@dataclass(frozen=True)
class Product:
    """A product line: key, English name, Spanish name with its article, list price."""

    key: str
    en: str
    es: str
    price: float


PRODUCTS = (
    Product("backpack", "40 L trail backpack", "la mochila de travesía de 40 L", 129.0),
    Product("tent", "two-person tent", "la tienda para dos personas", 249.0),
    Product("sleeping_bag", "three-season sleeping bag", "el saco de dormir de tres estaciones", 159.0),
    Product("jacket", "rain jacket", "la chaqueta impermeable", 179.0),
    Product("headlamp", "headlamp", "la linterna frontal", 39.0),
    Product("stove", "camp stove", "el hornillo de camping", 69.0),
    Product("bottle", "insulated bottle", "la botella térmica", 29.0),
    Product("boots", "hiking boots", "las botas de montaña", 149.0),
    Product("poles", "trekking poles", "los bastones de trekking", 89.0),
    Product("chair", "camp chair", "la silla plegable", 59.0),
    Product("mat", "sleeping mat", "la esterilla", 79.0),
    Product("filter", "water filter", "el filtro de agua", 45.0),
)

# Catalogue variants: each product line is sold in three versions.
VARIANTS = (("Lite", 0.8), ("Classic", 1.0), ("Pro", 1.35))
# Relative popularity of each product line in orders (same order as PRODUCTS).
PRODUCT_POPULARITY = (1.4, 0.9, 0.8, 1.2, 1.6, 0.9, 2.0, 1.1, 0.7, 0.6, 0.8, 0.9)


@dataclass(frozen=True)
class Theme:
    """An innovation theme: tag, labels, growth over the window, common and novel features.

    ``growth`` is the log-ratio of the theme's share of new ideas at the end of the window
    to its share at the start (0 = flat; 2.5 = about twelve times larger).
    Features are ``(english, spanish)`` pairs; *novel* features are what lead users
    propose, with rare words, before the theme grows.
    """

    tag: str
    en: str
    es: str
    growth: float
    problem_en: str
    problem_es: str
    benefit_en: str
    benefit_es: str
    common: tuple[tuple[str, str], ...]
    novel: tuple[tuple[str, str], ...]


THEMES = (
    Theme(
        "solar-charging",
        "solar charging",
        "carga solar",
        2.5,
        "My phone and GPS run flat on long trips and there is nowhere to charge them.",
        "El móvil y el GPS se quedan sin batería en las rutas largas y no hay dónde cargarlos.",
        "It would save carrying a separate power bank.",
        "Así no haría falta cargar con una batería externa.",
        (
            ("a built-in solar panel", "un panel solar integrado"),
            ("a USB-C charging port", "un puerto de carga USB-C"),
            ("a bigger battery", "una batería más grande"),
            ("a charge indicator", "un indicador de carga"),
        ),
        (
            ("a roll-up thin-film solar strip on the lid", "una tira solar flexible enrollable en la tapa"),
            ("kinetic charging from walking motion", "carga cinética con el movimiento al caminar"),
            (
                "a swappable power cell shared across the whole range",
                "una celda de energía intercambiable común a toda la gama",
            ),
            (
                "a thermoelectric charger fed by the stove's heat",
                "un cargador termoeléctrico alimentado por el calor del hornillo",
            ),
            (
                "a solar-charged glow trim that marks the pitch at night",
                "un ribete luminiscente de carga solar que señala la parcela de noche",
            ),
            ("wireless charging pads sewn into the hip belt", "bases de carga inalámbrica cosidas al cinturón lumbar"),
        ),
    ),
    Theme(
        "repairability",
        "repairability",
        "reparabilidad",
        2.2,
        "Gear gets thrown away because one small part breaks.",
        "Se tira equipo entero porque se rompe una pieza pequeña.",
        "It would keep gear in use for years instead of months.",
        "El equipo duraría años en lugar de meses.",
        (
            ("a repair kit in the box", "un kit de reparación incluido"),
            ("replaceable zips", "cremalleras reemplazables"),
            ("spare parts sold separately", "recambios a la venta por separado"),
            ("a lifetime repair service", "un servicio de reparación de por vida"),
        ),
        (
            ("modular panels joined with magnetic seams", "paneles modulares unidos con costuras magnéticas"),
            (
                "3D-printable spare buckles with published files",
                "hebillas de recambio imprimibles en 3D con archivos publicados",
            ),
            ("a QR code linking to step-by-step repair videos", "un código QR con vídeos de reparación paso a paso"),
            (
                "a trade-in programme that refurbishes worn units",
                "un programa de recompra que reacondiciona unidades usadas",
            ),
            ("bolt-on hardware that needs only a coin to swap", "herrajes atornillados que se cambian con una moneda"),
            ("a community repair map of partner workshops", "un mapa comunitario de talleres de reparación asociados"),
        ),
    ),
    Theme(
        "recycled-materials",
        "recycled materials",
        "materiales reciclados",
        2.0,
        "Outdoor gear uses a lot of virgin plastic for something meant to protect nature.",
        "El equipo de montaña usa mucho plástico nuevo para algo que pretende cuidar la naturaleza.",
        "It would cut the footprint of every unit we buy.",
        "Reduciría la huella de cada unidad que compramos.",
        (
            ("recycled fabric", "tejido reciclado"),
            ("less plastic packaging", "menos embalaje de plástico"),
            ("a recycled-content label", "una etiqueta de contenido reciclado"),
            ("a PFC-free coating", "un recubrimiento sin PFC"),
        ),
        (
            ("fabric woven from reclaimed fishing nets", "tejido hecho con redes de pesca recuperadas"),
            ("a mycelium-based padding", "un acolchado a base de micelio"),
            (
                "a take-back scheme that turns old gear into new yarn",
                "un sistema de devolución que convierte el equipo viejo en hilo nuevo",
            ),
            ("plant-dyed colours with no wastewater", "colores teñidos con plantas sin aguas residuales"),
            ("cork and hemp grips instead of foam", "empuñaduras de corcho y cáñamo en lugar de espuma"),
            ("a material passport stitched inside every seam", "un pasaporte de materiales cosido en cada costura"),
        ),
    ),
    Theme(
        "ultralight",
        "ultralight design",
        "diseño ultraligero",
        0.0,
        "Every gram counts on a long climb.",
        "Cada gramo cuenta en una subida larga.",
        "It would make long days far less tiring.",
        "Haría las jornadas largas mucho menos cansadas.",
        (
            ("a lighter frame", "un armazón más ligero"),
            ("thinner fabric", "un tejido más fino"),
            ("fewer straps", "menos correas"),
            ("a smaller packed size", "un tamaño plegado más pequeño"),
        ),
        (
            ("a frame that doubles as a tent pole", "un armazón que sirve también de varilla de tienda"),
            ("inflatable air-beam supports", "soportes de vigas hinchables"),
            ("a carbon-fibre lattice printed to fit", "una celosía de fibra de carbono impresa a medida"),
            ("a shell that folds into its own pocket", "una carcasa que se pliega dentro de su propio bolsillo"),
        ),
    ),
    Theme(
        "smart-safety",
        "safety",
        "seguridad",
        0.3,
        "When something goes wrong in the mountains, help is hard to reach.",
        "Cuando algo sale mal en la montaña, es difícil pedir ayuda.",
        "It would make solo trips much safer.",
        "Haría mucho más seguras las salidas en solitario.",
        (
            ("a GPS tracker", "un localizador GPS"),
            ("reflective strips", "tiras reflectantes"),
            ("an emergency whistle", "un silbato de emergencia"),
            ("a brighter beam", "un haz de luz más potente"),
        ),
        (
            (
                "a mesh radio that relays messages between hikers",
                "una radio en malla que retransmite mensajes entre senderistas",
            ),
            ("an avalanche-beacon mode", "un modo de baliza de avalancha"),
            ("a fall sensor that shares the last position", "un sensor de caídas que comparte la última posición"),
            (
                "a passive RFID tag readable by rescue teams",
                "una etiqueta RFID pasiva legible por los equipos de rescate",
            ),
        ),
    ),
    Theme(
        "family-camping",
        "family camping",
        "acampada en familia",
        0.0,
        "Camping with children means more stuff and less patience.",
        "Acampar con niños significa más cosas y menos paciencia.",
        "It would make family weekends easier.",
        "Facilitaría los fines de semana en familia.",
        (
            ("more room for kids", "más espacio para niños"),
            ("a simpler setup", "un montaje más sencillo"),
            ("extra pockets", "bolsillos adicionales"),
            ("bright colours", "colores vivos"),
        ),
        (
            ("a zip-on play annex that doubles as a porch", "un anexo de juegos con cremallera que sirve de porche"),
            ("colour-coded poles a child can pitch", "varillas por colores que un niño puede montar"),
            ("glow-in-the-dark guy lines", "vientos que brillan en la oscuridad"),
            ("a sleeping-bag coupler for parent and child", "un acoplador de sacos para padre e hijo"),
        ),
    ),
    Theme(
        "rain-protection",
        "rain protection",
        "protección contra la lluvia",
        -0.8,
        "A sudden storm soaks everything within minutes.",
        "Una tormenta repentina lo empapa todo en minutos.",
        "It would keep gear dry in bad weather.",
        "Mantendría el equipo seco con mal tiempo.",
        (
            ("a waterproof cover", "una funda impermeable"),
            ("sealed seams", "costuras selladas"),
            ("a longer hood", "una capucha más larga"),
            ("better drainage", "mejor drenaje"),
        ),
        (
            (
                "a hydrophobic membrane that self-heals small tears",
                "una membrana hidrófoba que repara sola los pequeños cortes",
            ),
            ("vents that close automatically when it rains", "respiraderos que se cierran solos cuando llueve"),
            ("a rain-catching fly that fills your bottle", "un doble techo que recoge la lluvia y llena la botella"),
            ("a drying pocket warmed by body heat", "un bolsillo de secado calentado por el cuerpo"),
        ),
    ),
    Theme(
        "comfort-fit",
        "comfort and fit",
        "comodidad y ajuste",
        0.0,
        "The fit is never quite right for every body.",
        "El ajuste nunca es perfecto para todos los cuerpos.",
        "It would fit far more people comfortably.",
        "Se adaptaría cómodamente a mucha más gente.",
        (
            ("padded shoulder straps", "hombreras acolchadas"),
            ("more sizes", "más tallas"),
            ("an adjustable fit", "un ajuste regulable"),
            ("a softer lining", "un forro más suave"),
        ),
        (
            ("a heat-mouldable back panel shaped at home", "un panel dorsal termomoldeable que se ajusta en casa"),
            ("a scan-to-fit sizing app", "una aplicación de tallaje por escaneo"),
            ("interchangeable hip belts by body shape", "cinturones lumbares intercambiables según la silueta"),
            (
                "pressure-mapping insoles that report hot spots",
                "plantillas con mapa de presión que avisan de los roces",
            ),
        ),
    ),
)

# Product lines each theme's features make sense for.
THEME_PRODUCTS = {
    "solar-charging": ("backpack", "tent", "headlamp", "jacket", "stove"),
    "repairability": ("backpack", "tent", "jacket", "boots", "poles", "chair", "sleeping_bag", "stove", "filter"),
    "recycled-materials": ("backpack", "tent", "sleeping_bag", "jacket", "bottle", "boots", "mat", "chair"),
    "ultralight": ("backpack", "tent", "sleeping_bag", "stove", "poles", "chair", "mat", "bottle", "filter"),
    "smart-safety": ("headlamp", "backpack", "jacket", "boots", "poles"),
    "family-camping": ("tent", "sleeping_bag", "chair", "mat", "stove"),
    "rain-protection": ("backpack", "tent", "jacket", "boots", "sleeping_bag"),
    "comfort-fit": ("backpack", "boots", "jacket", "sleeping_bag", "mat", "chair"),
}

CONTEXTS = (
    ("on multi-day hikes", "en travesías de varios días"),
    ("at wet campsites", "en campings mojados"),
    ("on winter trips", "en salidas de invierno"),
    ("when bikepacking", "cuando viajo en bicicleta"),
    ("on family weekends", "en los fines de semana en familia"),
    ("above the tree line", "por encima del límite del bosque"),
    ("on desert routes", "en rutas por el desierto"),
    ("on early-morning starts", "en las salidas de madrugada"),
    ("on coastal paths", "en senderos de costa"),
    ("in mountain huts", "en los refugios de montaña"),
)

TITLE_TEMPLATES = {
    "en": (
        "{Feature} on the {product}",
        "Add {feature} to the {product}",
        "{Product} with {feature}",
        "Give the {product} {feature}",
        "Idea: {feature} for the {product}",
    ),
    "es": (
        "{Feature} en {product}",
        "Añadir {feature} a {product}",
        "{Product} con {feature}",
        "Propuesta: {feature} para {product}",
        "Que {product} tenga {feature}",
    ),
}

PROPOSAL_TEMPLATES = {
    "en": (
        "I suggest {feature} on the {product}, which would help {context}.",
        "What if the {product} came with {feature}? I would use it {context}.",
        "Please consider {feature} for the {product}; I need it {context}.",
    ),
    "es": (
        "Propongo {feature} en {product}, algo que ayudaría {context}.",
        "¿Y si {product} viniera con {feature}? Lo usaría {context}.",
        "Pido que estudiéis {feature} para {product}; lo necesito {context}.",
    ),
}

NOVEL_EXTRA = {
    "en": (
        "I built a rough prototype {context} and it worked better than expected. It could also include {feature}.",
        "Nobody sells this yet, but I think it will matter soon. A second step would be {feature}.",
        "I have tried this for a season {context}; combined with {feature} it changes how you pack.",
    ),
    "es": (
        "Hice un prototipo casero {context} y funcionó mejor de lo esperado. También podría incluir {feature}.",
        "Nadie lo vende todavía, pero creo que pronto importará. Un segundo paso sería {feature}.",
        "Lo he probado una temporada {context}; junto con {feature} cambia la forma de preparar la mochila.",
    ),
}

REVISION_NOTES = {
    "en": (
        "Update: added a sketch of the layout.",
        "Update: clarified the weight target after the comments.",
        "Update: included feedback from the thread about sizing.",
        "Update: narrowed the idea to one product after discussion.",
        "Update: added a rough cost estimate.",
    ),
    "es": (
        "Actualización: he añadido un boceto de la distribución.",
        "Actualización: he aclarado el peso objetivo tras los comentarios.",
        "Actualización: he incluido lo que se dijo en el hilo sobre las tallas.",
        "Actualización: he centrado la idea en un solo producto tras el debate.",
        "Actualización: he añadido una estimación aproximada del coste.",
    ),
}

COMMENT_TEMPLATES = {
    "en": (
        "I would buy this tomorrow.",
        "Great idea, this has bothered me for years.",
        "How much weight would this add?",
        "Not sure about this one: it would make the {product} heavier.",
        "Yes please, especially {context}.",
        "Would this survive a full season of rough use?",
        "I had the same problem {context}.",
        "This would make me choose your brand over the others.",
    ),
    "es": (
        "Lo compraría mañana mismo.",
        "Muy buena idea, esto me molesta desde hace años.",
        "¿Cuánto peso añadiría?",
        "No lo tengo claro: haría más pesado {product}.",
        "Sí, por favor, sobre todo {context}.",
        "¿Aguantaría una temporada entera de uso intenso?",
        "Tuve el mismo problema {context}.",
        "Esto haría que eligiera vuestra marca frente a otras.",
    ),
}

BUILDS_ON_TEMPLATES = {
    "en": (
        "What if it also had {feature}?",
        "Building on this: {feature} would make it even better.",
        "Combine it with {feature} and I am sold.",
        "A variant with {feature} would work {context}.",
    ),
    "es": (
        "¿Y si además tuviera {feature}?",
        "Sumando a esto: {feature} lo haría aún mejor.",
        "Combinado con {feature}, me convence del todo.",
        "Una variante con {feature} funcionaría {context}.",
    ),
}

REPLY_TEMPLATES = {
    "en": (
        "Good point, thanks!",
        "Agreed, that is the main thing.",
        "I tried something similar {context} and it works.",
        "Not sure: it might cost too much.",
        "Exactly what I was going to say.",
        "Could you share a photo of your setup?",
    ),
    "es": (
        "Buena observación, ¡gracias!",
        "De acuerdo, eso es lo principal.",
        "Probé algo parecido {context} y funciona.",
        "No lo sé: quizá saldría demasiado caro.",
        "Justo lo que iba a decir.",
        "¿Puedes compartir una foto de tu montaje?",
    ),
}

DECLINE_REASONS = ("duplicate", "out of scope", "not feasible now", "already planned", "too costly", "safety concerns")
DECLINE_REASON_PROBABILITIES = (0.10, 0.25, 0.30, 0.15, 0.12, 0.08)
DECLINE_REASON_TEXT = {
    "en": {
        "duplicate": "it repeats an idea we already have",
        "out of scope": "it falls outside what we make",
        "not feasible now": "we cannot build it with today's materials and costs",
        "already planned": "something very close is already on our roadmap",
        "too costly": "it would raise the price more than customers told us they accept",
        "safety concerns": "we could not make it safe enough",
    },
    "es": {
        "duplicate": "repite una idea que ya tenemos",
        "out of scope": "queda fuera de lo que fabricamos",
        "not feasible now": "no podemos fabricarla con los materiales y costes actuales",
        "already planned": "algo muy parecido ya está en nuestra hoja de ruta",
        "too costly": "subiría el precio más de lo que los clientes nos dicen que aceptan",
        "safety concerns": "no conseguiríamos que fuera lo bastante segura",
    },
}

STAGE_MESSAGES = {
    "en": {
        "open": "Thanks for sharing! Your idea is now open for support.",
        "under_review": "Our product team is reviewing this idea; we will report back within a few weeks.",
        "accepted": "Good news: we are going to build this. Thank you for the idea!",
        "in_development": "Prototyping has started. We will share test results here.",
        "launched": "It is here: this idea is now part of our range. Thank you to everyone who helped.",
        "declined": "Thank you for the idea. We are not taking it forward because {reason}.",
        "merged": "This idea is very close to idea #{into}, so we merged them: support now counts once.",
    },
    "es": {
        "open": "¡Gracias por compartirla! Tu idea ya está abierta a apoyos.",
        "under_review": "Nuestro equipo de producto está estudiando la idea; os contaremos algo en unas semanas.",
        "accepted": "Buenas noticias: vamos a fabricarla. ¡Gracias por la idea!",
        "in_development": "Hemos empezado los prototipos. Compartiremos aquí los resultados de las pruebas.",
        "launched": "Ya está aquí: esta idea forma parte de nuestra gama. Gracias a todas las personas que ayudaron.",
        "declined": "Gracias por la idea. No vamos a seguir adelante porque {reason}.",
        "merged": "Esta idea es muy parecida a la idea #{into}, así que las hemos unido: cada apoyo cuenta una vez.",
    },
}


@dataclass(frozen=True)
class CampaignTemplate:
    """A campaign archetype: titles, briefs and the product lines it asks about."""

    en: str
    es: str
    brief_en: str
    brief_es: str
    products: tuple[str, ...]


CAMPAIGNS = (
    CampaignTemplate(
        "Rethink the backpack",
        "Reinventa la mochila",
        "Tell us what your next trail backpack should do.",
        "Cuéntanos qué debería hacer tu próxima mochila de travesía.",
        ("backpack",),
    ),
    CampaignTemplate(
        "Sleep better outdoors",
        "Dormir mejor al aire libre",
        "Tents, bags and mats: how can nights outside be better?",
        "Tiendas, sacos y esterillas: ¿cómo mejorar las noches al aire libre?",
        ("tent", "sleeping_bag", "mat"),
    ),
    CampaignTemplate(
        "Light up the night",
        "Ilumina la noche",
        "Ideas for headlamps and light on the trail.",
        "Ideas para linternas frontales y luz en la ruta.",
        ("headlamp",),
    ),
    CampaignTemplate(
        "Kitchen in the wild",
        "Cocina en plena naturaleza",
        "Stoves, bottles and water: cook and drink well anywhere.",
        "Hornillos, botellas y agua: comer y beber bien en cualquier sitio.",
        ("stove", "bottle", "filter"),
    ),
    CampaignTemplate(
        "Every step counts",
        "Cada paso cuenta",
        "Boots and poles for long days on foot.",
        "Botas y bastones para jornadas largas a pie.",
        ("boots", "poles"),
    ),
    CampaignTemplate(
        "Weatherproof",
        "A prueba de tiempo",
        "Stay dry and warm whatever the forecast says.",
        "Seco y abrigado diga lo que diga el pronóstico.",
        ("jacket", "tent"),
    ),
    CampaignTemplate(
        "Camp comfort",
        "Comodidad en el campamento",
        "Chairs, mats and the small luxuries of camp.",
        "Sillas, esterillas y los pequeños lujos del campamento.",
        ("chair", "mat"),
    ),
    CampaignTemplate(
        "Open ideas",
        "Ideas abiertas",
        "Anything that would make our gear better.",
        "Cualquier cosa que mejore nuestro equipo.",
        tuple(p.key for p in PRODUCTS),
    ),
)

SCORECARD_CRITERIA = ("desirability", "feasibility", "viability")

NAME_ADJECTIVES = (
    ("Swift", "Veloz"),
    ("Brave", "Valiente"),
    ("Bold", "Audaz"),
    ("Happy", "Feliz"),
    ("Cheerful", "Alegre"),
    ("Free", "Libre"),
    ("Nimble", "Ágil"),
    ("Strong", "Fuerte"),
    ("Loyal", "Leal"),
    ("Kind", "Amable"),
    ("Gentle", "Gentil"),
    ("Patient", "Paciente"),
)
NAME_ANIMALS = (
    ("Falcon", "Halcón"),
    ("Fox", "Zorro"),
    ("Otter", "Nutria"),
    ("Heron", "Garza"),
    ("Lynx", "Lince"),
    ("Marmot", "Marmota"),
    ("Ibex", "Íbice"),
    ("Wren", "Reyezuelo"),
    ("Badger", "Tejón"),
    ("Owl", "Búho"),
    ("Hare", "Liebre"),
    ("Trout", "Trucha"),
)
STAFF_NAMES = {
    "admin": ("Community admin", "Administración de la comunidad"),
    "moderator": ("Community manager", "Gestión de la comunidad"),
    "reviewer": ("Product reviewer", "Revisión de producto"),
}

SURVEY_MOTIVES = ("motive_econ", "motive_psych", "motive_social", "cost_econ", "cost_psych", "cost_social")
SURVEY_LEAD_ITEMS = ("lead_at_1", "lead_at_2", "lead_at_3", "lead_heb_1", "lead_heb_2", "lead_heb_3")
SURVEY_ITEMS = SURVEY_LEAD_ITEMS + SURVEY_MOTIVES + ("satisfaction",)

_SPANISH_CONTRACTIONS = ((re.compile(r"\ba el\b"), "al"), (re.compile(r"\bde el\b"), "del"))


def tidy_spanish(text: str) -> str:
    """Apply the contractions ``a el -> al`` and ``de el -> del`` of written Spanish.

    >>> tidy_spanish("Añadir un forro a el saco de dormir")
    'Añadir un forro al saco de dormir'
    """
    for pattern, replacement in _SPANISH_CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def capitalise(text: str) -> str:
    """Upper-case the first letter only (``str.capitalize`` would lower the rest).

    >>> capitalise("la mochila de 40 L")
    'La mochila de 40 L'
    """
    return text[:1].upper() + text[1:]
