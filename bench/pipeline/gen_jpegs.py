#!/usr/bin/env python3
"""Generates the image job's data: N JPEGs in class subfolders (bench/.data/jpegs by default).

Deterministic (seeded), idempotent (existing files are kept). Sizes vary from 320x240 to
500x375 and the content is smooth colour fields plus noise, so JPEG decoding costs what it costs
on photographs of that size. Needs Pillow (bench/.venv).

    bench/.venv/bin/python bench/pipeline/gen_jpegs.py --images 3000
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ("cat", "dog", "fox", "owl")
DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".data" / "jpegs"


def image(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    channels = []
    for _ in range(3):
        fx, fy, phase = rng.uniform(0.005, 0.05), rng.uniform(0.005, 0.05), rng.uniform(0, 6.3)
        channels.append(127 + 100 * np.sin(fx * x + fy * y + phase))
    pixels = np.stack(channels, axis=-1) + rng.normal(0, 12, (height, width, 3))
    return np.clip(pixels, 0, 255).astype(np.uint8)


def generate(directory: Path, count: int, seed: int = 0) -> list[Path]:
    paths = []
    for i in range(count):
        cls = CLASSES[i % len(CLASSES)]
        path = directory / cls / f"{i:05d}.jpg"
        paths.append(path)
        if path.exists():
            continue
        rng = np.random.default_rng(seed * 1_000_003 + i)
        width = int(rng.integers(320, 501))
        height = int(width * 3 / 4)
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image(rng, width, height)).save(path, quality=90)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    generate(args.dir, args.images)
    print(f"{args.images} JPEGs in {args.dir}")


if __name__ == "__main__":
    main()
