#!/usr/bin/python3
"""Classify de-identified DICOM images with a small PyTorch CNN (PHIGuard example workload).

Reads every DICOM file under $PHIGUARD_INPUT_DIR, decodes its pixels with pydicom, resizes and
normalizes them with torch, runs a small convolutional network and writes to $PHIGUARD_OUTPUT_DIR:

  predictions.jsonl  one line per image instance: SOP Instance UID -> class and score
  summary.json       counts, skipped files with the reason, device, timings

The weights are random (seeded, no downloads): this shows the data path and the cost of running
a model on a GPU node, not a diagnosis. Replace `build_model` with a trained model to use it.
Nothing read from the images' headers is printed: stdout holds counts and timings only.
"""

import argparse
import json
import logging
import os
import sys
import time
import warnings

# pydicom's warnings and log lines quote header values; a job's output channels must not.
warnings.simplefilter("ignore")
logging.getLogger("pydicom").setLevel(logging.CRITICAL)

import pydicom  # noqa: E402 (after the warning filter)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

LABELS = ("no-finding", "finding", "indeterminate")
SIZE = 128


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(x + self.bn2(self.conv2(y)))


def build_model(classes):
    """A small ResNet-style CNN for one-channel SIZE x SIZE images (no torchvision needed)."""

    def stage(cin, cout):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True), nn.MaxPool2d(2))

    return nn.Sequential(
        stage(1, 16), stage(16, 32), stage(32, 64), ResidualBlock(64), stage(64, 128), ResidualBlock(128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, classes),
    )


def frames_of(ds):
    """Pixel data as a float tensor [frames, H, W]: modality LUT applied, colour averaged to grey."""
    pixels = torch.from_numpy(ds.pixel_array.astype("float32"))
    samples = int(getattr(ds, "SamplesPerPixel", 1))
    if samples > 1:
        pixels = pixels.mean(dim=-1)  # pydicom gives colour as (..., rows, cols, samples)
    if pixels.dim() == 2:
        pixels = pixels.unsqueeze(0)
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    return pixels * slope + intercept


def prepare(frames):
    """[n, H, W] -> [n, 1, SIZE, SIZE], each frame scaled to zero mean and unit variance."""
    x = frames.unsqueeze(1)
    x = F.interpolate(x, size=(SIZE, SIZE), mode="bilinear", align_corners=False, antialias=True)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    std = x.std(dim=(1, 2, 3), keepdim=True).clamp_min(1e-6)
    return (x - mean) / std


def load(input_dir):
    """Every file under input_dir: (relative name, Dataset or None, skip reason or None)."""
    for root, dirs, files in os.walk(input_dir):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, input_dir)
            try:
                ds = pydicom.dcmread(path)
            except Exception:  # not a DICOM Part 10 file
                yield rel, None, {"reason": "not-dicom"}
                continue
            if "PixelData" not in ds:
                yield rel, None, {"reason": "no-pixel-data"}
                continue
            yield rel, ds, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    input_dir = os.environ.get("PHIGUARD_INPUT_DIR")
    output_dir = os.environ.get("PHIGUARD_OUTPUT_DIR")
    if not input_dir or not output_dir or not os.path.isdir(input_dir):
        print("classify.py: set PHIGUARD_INPUT_DIR (a folder) and PHIGUARD_OUTPUT_DIR", file=sys.stderr)
        return 2
    os.makedirs(output_dir, exist_ok=True)
    device = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu")
    torch.manual_seed(args.seed)
    model = build_model(len(LABELS)).to(device).eval()

    started = time.perf_counter()
    instances, skipped, files = [], [], 0
    for rel, ds, skip in load(input_dir):
        files += 1
        if skip is not None:
            skipped.append({"file": rel, **skip})
            continue
        try:
            frames = frames_of(ds)
        except Exception:  # compressed without a decoder plugin (JPEG, JPEG-LS, JPEG 2000), or malformed
            skipped.append({"file": rel, "reason": "cannot-decode", "transferSyntax": str(getattr(ds.file_meta, "TransferSyntaxUID", ""))})
            continue
        instances.append((rel, str(getattr(ds, "SOPInstanceUID", "")), prepare(frames)))
    loaded = time.perf_counter()

    predictions, counts = [], {label: 0 for label in LABELS}
    batch = [x for _, _, x in instances]
    with torch.no_grad():
        flat = torch.cat(batch) if batch else torch.empty(0, 1, SIZE, SIZE)
        probs = []
        for start in range(0, flat.shape[0], args.batch_size):
            probs.append(F.softmax(model(flat[start:start + args.batch_size].to(device)), dim=1).cpu())
        probs = torch.cat(probs) if probs else torch.empty(0, len(LABELS))
    if device.type == "cuda":
        torch.cuda.synchronize()
    inferred = time.perf_counter()

    offset = 0
    for rel, uid, x in instances:
        p = probs[offset:offset + x.shape[0]].mean(dim=0)  # a multi-frame instance: mean over its frames
        offset += x.shape[0]
        k = int(p.argmax())
        counts[LABELS[k]] += 1
        predictions.append({"sopInstanceUid": uid, "file": rel, "class": LABELS[k], "score": round(float(p[k]), 6), "frames": int(x.shape[0])})

    with open(os.path.join(output_dir, "predictions.jsonl"), "w", encoding="utf-8") as out:
        for line in predictions:
            out.write(json.dumps(line, sort_keys=True) + "\n")
    frames_total = sum(x.shape[0] for _, _, x in instances)
    summary = {
        "jobId": os.environ.get("PHIGUARD_JOB_ID"),
        "model": {"kind": "resnet-ish-cnn", "weights": "random", "seed": args.seed, "input": [1, SIZE, SIZE], "labels": list(LABELS)},
        "device": device.type,
        "torch": torch.__version__,
        "files": files,
        "classified": len(predictions),
        "frames": frames_total,
        "skipped": skipped,
        "classCounts": counts,
        "seconds": {"load": round(loaded - started, 4), "inference": round(inferred - loaded, 4), "total": round(time.perf_counter() - started, 4)},
    }
    with open(os.path.join(output_dir, "summary.json"), "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2, sort_keys=True)
    print(f"classified {len(predictions)} instances ({frames_total} frames) of {files} files on {device.type}; "
          f"skipped {len(skipped)}; load {summary['seconds']['load']} s, inference {summary['seconds']['inference']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
