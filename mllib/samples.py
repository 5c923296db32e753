"""The bundled sample datasets, described once for the picker and the docs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mllib.data import Dataset, read_table

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"


@dataclass(frozen=True)
class Sample:
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
            "Study hours → exam score",
            "study_hours.csv",
            "exam_score",
            "One feature, one straight line: the simplest regression.",
        ),
        Sample(
            "iris",
            "Iris flowers (3 species)",
            "iris.csv",
            "species",
            "Classic three-class classification on four measurements.",
        ),
        Sample(
            "diabetes",
            "Diabetes progression",
            "diabetes.csv",
            "disease_progression",
            "Regression with ten real medical measurements.",
        ),
        Sample(
            "breast_cancer",
            "Breast cancer diagnosis",
            "breast_cancer.csv",
            "diagnosis",
            "Binary classification with 30 correlated features.",
        ),
        Sample(
            "moons",
            "Two moons (non-linear)",
            "moons.csv",
            "label",
            "Two interleaved half-circles: where curved boundaries win.",
        ),
        Sample(
            "customers",
            "Customer churn (mixed types)",
            "customers.csv",
            "churned",
            "IDs, dates, categories, booleans and missing values, as real tables have.",
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
