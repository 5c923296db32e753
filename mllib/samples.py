"""The bundled sample datasets, described once for the picker and the docs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mllib.data import Dataset, read_table
from mllib.i18n import N_

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"


@dataclass(frozen=True)
class Sample:
    """A bundled dataset; ``title`` and ``blurb`` are English msgids, translated where shown."""

    key: str
    title: str
    filename: str
    target: str
    blurb: str

    @property
    def path(self) -> Path:
        return SAMPLE_DIR / self.filename


SAMPLES: dict[str, Sample] = {
    s.key: s
    for s in (
        Sample(
            "study_hours",
            N_("Study hours → exam score"),
            "study_hours.csv",
            "exam_score",
            N_("One feature, one straight line: the simplest regression."),
        ),
        Sample(
            "iris",
            N_("Iris flowers (3 species)"),
            "iris.csv",
            "species",
            N_("Classic three-class classification on four measurements."),
        ),
        Sample(
            "diabetes",
            N_("Diabetes progression"),
            "diabetes.csv",
            "disease_progression",
            N_("Regression with ten real medical measurements."),
        ),
        Sample(
            "breast_cancer",
            N_("Breast cancer diagnosis"),
            "breast_cancer.csv",
            "diagnosis",
            N_("Binary classification with 30 correlated features."),
        ),
        Sample(
            "moons",
            N_("Two moons (non-linear)"),
            "moons.csv",
            "label",
            N_("Two interleaved half-circles: where curved boundaries win."),
        ),
        Sample(
            "customers",
            N_("Customer churn (mixed types)"),
            "customers.csv",
            "churned",
            N_("IDs, dates, categories, booleans and missing values, as real tables have."),
        ),
    )
}
DEFAULT_SAMPLE = "iris"


def load_sample(key: str) -> Dataset:
    sample = SAMPLES[key]
    dataset = read_table(sample.path.read_bytes(), sample.filename)
    dataset.source = "sample"
    dataset.name = sample.title
    return dataset
