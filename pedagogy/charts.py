"""Server-rendered SVG charts of the follow-up, readable printed in black and white.

``progress_svg(points, markers)``: the proposed level over time. The line of proposed levels is solid black with a
filled circle at each dated level (one ``<circle data-point>`` per point); the raw observations of a chosen
competency are drawn behind it with one *shape* per evaluation type (formative: hollow circle, certificative:
filled square, en entreprise: hollow triangle), so the chart needs no colour to be read. The levels are written on
the y axis (NM, IM, M, BM), the dates on the x axis; a ``<title>``/``<desc>`` describes it for screen readers.
"""

from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .evaluation_models import EvaluationType

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 40, 20, 56
TICK_GAP = 64  # px between two date labels at least
LEVEL_NAMES = {1: "NM", 2: "IM", 3: "M", 4: "BM"}
TYPE_SHAPES = {EvaluationType.FORMATIVE: "cercle vide", EvaluationType.CERTIFICATIVE: "carré plein",
               EvaluationType.COMPANY: "triangle vide"}


def _fr_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _marker(kind: str, x: float, y: float, label: str, css: str = "cpro-chart-obs") -> str:
    title = f"<title>{escape(label)}</title>"
    if kind == EvaluationType.CERTIFICATIVE:
        return (f'<rect class="{css}" data-type="{kind}" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" '
                f'height="8" fill="#000" stroke="#000">{title}</rect>')
    if kind == EvaluationType.COMPANY:
        return (f'<polygon class="{css}" data-type="{kind}" points="{x:.1f},{y - 5:.1f} {x - 5:.1f},'
                f'{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" fill="#fff" stroke="#000" stroke-width="1.5">{title}</polygon>')
    return (f'<circle class="{css}" data-type="{kind}" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" '
            f'stroke="#000" stroke-width="1.5">{title}</circle>')


def progress_svg(points, markers=(), *, title: str = "Évolution du niveau proposé", chart_id: str = "progression"
                 ) -> SafeString:
    """The chart as inline SVG markup (``points``: ``followup.Point``; ``markers``: observations)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = sorted({p.date for p in points} | {m.date for m in markers})
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cpro-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
             f'font-family="Marianne, Arial, sans-serif" font-size="12">',
             f'<title id="{chart_id}-title">{escape(title)}</title>']
    if points:
        description = "; ".join(f"{_fr_date(p.date)} : {p.score:.2f} ({LEVEL_NAMES[p.level]})" for p in points)
    else:
        description = "Aucune observation à représenter."
    parts.append(f'<desc id="{chart_id}-desc">{escape(description)}</desc>')
    first, last = (days[0], days[-1]) if days else (None, None)
    span = max(1, (last - first).days) if days else 1

    def x_of(day: date) -> float:
        if len(days) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (day - first).days / span

    def y_of(score: float) -> float:  # NM to BM, with a margin so that markers never sit on the axis
        return TOP + plot_h * (4.25 - score) / 3.5

    # Axes and level grid (dashed lines: a grid, not data).
    for level, name in LEVEL_NAMES.items():
        y = y_of(level)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#888" '
                     f'stroke-dasharray="2 4" stroke-width="0.8"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{name}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#000"/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#000"/>')
    if not days:
        parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle">'
                     'Aucune observation pour le moment</text></svg>')
        return mark_safe("".join(parts))
    # Date ticks: the first and the last date, and dates in between at least TICK_GAP apart.
    ticks = [days[0]]
    for day in days[1:]:
        if x_of(day) - x_of(ticks[-1]) >= TICK_GAP:
            ticks.append(day)
    if days[-1] != ticks[-1]:
        if len(ticks) > 1 and x_of(days[-1]) - x_of(ticks[-1]) < TICK_GAP:
            ticks.pop()
        ticks.append(days[-1])
    for day in ticks:
        x = x_of(day)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP + plot_h}" x2="{x:.1f}" y2="{TOP + plot_h + 5}" stroke="#000"/>')
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{day.strftime("%d/%m/%y")}'
                     '</text>')
    for marker in markers:
        label = f"{_fr_date(marker.date)} · {marker.get_type_display()} · {LEVEL_NAMES.get(marker.level, 'NE')}"
        parts.append(_marker(marker.type, x_of(marker.date), y_of(marker.level), label))
    if points:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x_of(p.date):.1f},{y_of(p.score):.1f}" for i, p in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="#000" stroke-width="2"/>')
        for p in points:
            label = f"{_fr_date(p.date)} : niveau proposé {p.score:.2f} ({LEVEL_NAMES[p.level]})"
            parts.append(f'<circle data-point="{p.date.isoformat()}" cx="{x_of(p.date):.1f}" cy="{y_of(p.score):.1f}" '
                         f'r="3.5" fill="#000"><title>{escape(label)}</title></circle>')
    # Legend (shapes, not colours).
    y = HEIGHT - 14
    parts.append(f'<line x1="{LEFT}" y1="{y - 4}" x2="{LEFT + 24}" y2="{y - 4}" stroke="#000" stroke-width="2"/>'
                 f'<circle cx="{LEFT + 12}" cy="{y - 4}" r="3.5" fill="#000"/>'
                 f'<text x="{LEFT + 30}" y="{y}">niveau proposé</text>')
    if markers:
        x = LEFT + 140
        for kind, label in EvaluationType.choices:
            parts.append(_marker(kind, x, y - 4, label, css="cpro-chart-legend"))
            parts.append(f'<text x="{x + 10}" y="{y}">{escape(label.lower())}</text>')
            x += 120
    parts.append("</svg>")
    return mark_safe("".join(parts))
