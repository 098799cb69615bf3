"""Export of one scenario for printing (ODT and DOCX): one function builds the content, the documents layer writes it.

``scenario_printable(scenario)`` builds a ``documents.printable.Printable`` — the establishment's name and logo,
the five parts of the scenario under the labels of the establishment's Masque de saisie, the linked tasks,
competencies and criteria with their codes and labels, the resources listed — and ``export(scenario, "odt"|"docx")``
writes it; both formats are written from the same blocks, so they always say the same thing.
"""

import logging

from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from documents import printable
from documents.formats import File
from referentiels.models import Criterion, TaskCompetency

from .models import Scenario, ScenarioResource
from .selectors import scenario_field_labels

logger = logging.getLogger(__name__)

FORMATS = ("odt", "docx")
NOT_FILLED = "Non renseigné."


def _logo(establishment) -> printable.Logo | None:
    if not establishment.logo:
        return None
    try:
        with establishment.logo.open("rb") as handle:
            return printable.Logo(handle.read(), width_cm=3.0)
    except OSError:  # a logo whose file is gone: the document is printed without it
        logger.warning("logo of %s missing", establishment.uai)
        return None


def _megabytes(size: int | None) -> str:
    if not size:
        return ""
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} Ko"
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def resource_line(resource: ScenarioResource) -> str:
    """How a resource is listed in the export: its title, then its address or what kind of file it is."""
    if resource.kind == ScenarioResource.Kind.LINK:
        return f"{resource.title} — {resource.url}" if resource.title != resource.url else resource.url
    from .resources import kind_label  # the labels of the accepted file types live with the upload checks

    details = ", ".join(part for part in (kind_label(resource.content_type), _megabytes(resource.size)) if part)
    return f"{resource.title} (fichier {details})" if details else f"{resource.title} (fichier)"


def criterion_code(criterion: Criterion) -> str:
    """« C7.2 »: the competency's code and the criterion's rank."""
    return f"{criterion.competency.code}.{criterion.position}"


def scenario_printable(scenario: Scenario) -> printable.Printable:
    """Everything the export prints about ``scenario``, as one neutral document (a fixed number of queries)."""
    scenario = (Scenario.objects.select_related("establishment", "version__diploma")
                .prefetch_related("authors").get(pk=scenario.pk))
    establishment, version = scenario.establishment, scenario.version
    labels = scenario_field_labels(establishment, version.diploma.code)
    tasks = list(scenario.tasks.order_by("position", "code"))
    competencies = list(scenario.competencies.order_by("position", "code"))
    criteria = list(scenario.criteria.select_related("competency")
                    .order_by("competency__position", "competency__code", "position"))
    transversal = list(scenario.transversal_competencies.select_related("version").order_by("position", "code"))
    resources = list(scenario.resources.order_by("position", "id"))
    # Competencies linked to several of the scenario's tasks (printed apart, as on the editor).
    common = list(TaskCompetency.objects.filter(task__in=[t.pk for t in tasks],
                                                competency__in=[c.pk for c in competencies])
                  .values("competency__code").annotate(n=Count("task", distinct=True)).filter(n__gt=1)
                  .order_by("competency__position").values_list("competency__code", flat=True))

    blocks: list = []
    authors = ", ".join(author.full_name or author.login for author in
                        sorted(scenario.authors.all(), key=lambda a: (a.last_name.lower(), a.first_name.lower())))
    blocks += [
        printable.Heading(labels["title"]),
        printable.Fields([
            ("Titre", scenario.title),
            ("Co-intervention", "oui" if scenario.co_intervention else "non"),
            ("Auteurs", authors or "—"),
        ]),
    ]
    if scenario.origin_uai:
        blocks.append(printable.Paragraph(
            f"Reçu de l'établissement {scenario.origin_establishment_name} ({scenario.origin_uai})"
            + (f", titre d'origine : « {scenario.origin_title} »." if scenario.origin_title else "."), small=True))

    blocks.append(printable.Heading(labels["context"]))
    for field_name in ("situation", "equipment", "training_spaces"):
        verbose = Scenario._meta.get_field(field_name).verbose_name
        value = getattr(scenario, field_name).strip()
        blocks += [printable.Heading(verbose[:1].upper() + verbose[1:], level=2),
                   printable.Paragraph(value or NOT_FILLED, small=not value)]

    blocks.append(printable.Heading(labels["referential_link"]))
    blocks.append(printable.Paragraph(
        f"{len(tasks)} tâche{'s' if len(tasks) > 1 else ''}, {len(competencies)} compétence"
        f"{'s' if len(competencies) > 1 else ''} et {len(criteria)} critère{'s' if len(criteria) > 1 else ''} "
        f"de réussite liés (référentiel {version.label}).", small=True))
    blocks.append(printable.Heading("Tâches", level=2))
    blocks.append(printable.Table(["Code", "Tâche"], [[t.code, t.label] for t in tasks], widths_cm=(2.5, 14.5),
                                  monospace=frozenset({0})) if tasks else printable.Paragraph(
        "Aucune tâche liée.", small=True))
    blocks.append(printable.Heading("Compétences", level=2))
    blocks.append(printable.Table(["Code", "Compétence"], [[c.code, c.label] for c in competencies],
                                  widths_cm=(2.5, 14.5), monospace=frozenset({0})) if competencies
                  else printable.Paragraph("Aucune compétence liée.", small=True))
    if common:
        blocks.append(printable.Paragraph("Compétences communes à plusieurs tâches du scénario : "
                                          + ", ".join(common) + ".", small=True))
    blocks.append(printable.Heading("Critères de réussite", level=2))
    blocks.append(printable.Table(["Code", "Critère de réussite"], [[criterion_code(c), c.label] for c in criteria],
                                  widths_cm=(2.5, 14.5), monospace=frozenset({0})) if criteria
                  else printable.Paragraph("Aucun critère de réussite lié.", small=True))

    blocks.append(printable.Heading(labels["transversal_link"]))
    blocks.append(printable.Table(["Code", "Compétence transversale"], [[c.code, c.label] for c in transversal],
                                  widths_cm=(2.5, 14.5), monospace=frozenset({0})) if transversal
                  else printable.Paragraph("Aucune compétence transversale liée.", small=True))

    blocks.append(printable.Heading(labels["resources"]))
    blocks.append(printable.Bullets([resource_line(r) for r in resources]) if resources
                  else printable.Paragraph("Aucune ressource.", small=True))

    updated = timezone.localtime(scenario.updated_at).strftime("%d/%m/%Y")
    return printable.Printable(
        title=scenario.title,
        header=establishment.name or establishment.uai,
        subtitle=f"{version.diploma.name} — référentiel {version.label} — {scenario.get_class_level_display()} "
                 f"— mis à jour le {updated}",
        logo=_logo(establishment),
        author=authors,
        blocks=blocks,
    )


def filename(scenario: Scenario, extension: str) -> str:
    """« scenario-cablage-dun-tableau.odt »: readable, ASCII, short."""
    slug = slugify(scenario.title)[:60].strip("-") or str(scenario.pk)
    return f"scenario-{slug}.{extension}"


def export(scenario: Scenario, extension: str) -> File:
    """The scenario as an ODT or DOCX file (``extension``: ``"odt"`` or ``"docx"``)."""
    if extension not in FORMATS:
        raise ValueError(f"Format inconnu : {extension!r}")
    document = scenario_printable(scenario)
    writer = printable.odt if extension == "odt" else printable.docx
    return writer(document, filename(scenario, extension))
