#!/usr/bin/env python3
"""Does ELU's faster convergence pay for its cost? Time-to-accuracy on Fashion-MNIST.

  python3 scripts/convergence.py                 # the default run (~15-25 min on a 2-core CPU)
  python3 scripts/convergence.py --quick -o X    # plumbing check (CI): 2 activations, 2 seeds,
                                                 # 2,000 images, 1 epoch; not a measurement

Run it with the interpreter that has PyTorch (Debian's python3-torch: /usr/bin/python3); the
statistics and charts then run in the project's .venv (scipy, matplotlib) through
plot_convergence.py, which this script calls at the end.

What it does (docs/convergence.md has the why):
- data: the Fashion-MNIST IDX files of Debian's dataset-fashion-mnist, read directly
  (idx_reader.py); pixels scaled to [0, 1] and standardized with the training set's mean and std;
- models (MODELS): the ELU paper's MNIST network (8 fully-connected hidden layers of 128 units,
  SGD, learning rate 0.01, batches of 64, He initialization) and a small conv net (conv,
  activation, conv, activation, linear head); optimizer, batch size, epochs and a constant
  learning rate fixed per model for every activation, nothing tuned on any of them;
- activations (ACTIVATIONS): ReLU, ELU at α = 0.1, 0.5, 1, 2, Leaky ReLU, SELU (LeCun normal
  initialization, no dropout), GELU, SiLU, Softplus, Mish;
- seeds: seed s gives every activation the same initial weights (one draw of standard normals,
  scaled by the activation's initialization) and the same batch order;
- order: seed-major, the activation order rotated per seed and the models alternated, so a
  change of machine load spreads over activations instead of landing on one;
- per run: test accuracy (the whole test set) and training loss at checkpoints spaced
  geometrically (every 2^(1/2) times more steps from step 16, and at each epoch's end: the steps
  to a target are known to within that factor at every target), training time (evaluation
  excluded) and time per step, the steps and seconds to each test-accuracy target;
- per step: an interleaved timing of every activation's training step on the same batches (rounds
  of a few steps each, the activation order rotated per round), so the per-step cost ratio is
  measured seconds apart instead of across runs minutes apart;
- deterministic algorithms on; torch threads fixed (--threads, default 1) and recorded, with the
  load average at the start and after every run.

The results file (results/convergence-schema.json) is rewritten after every run with
"complete": false, so an interrupted run keeps what it finished. Exit: 0 done, 2 unusable input
(one line), 130 interrupted.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import shlex
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import convergence_io as cio
import idx_reader
import script_io

PROG = "convergence.py"
DATA_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist
# Each activation with its parameters and the initialization its weights get. The only list.
ACTIVATIONS = [
    ("relu", {}, "he_normal"),
    ("elu", {"alpha": 0.1}, "he_normal"),
    ("elu", {"alpha": 0.5}, "he_normal"),
    ("elu", {"alpha": 1.0}, "he_normal"),
    ("elu", {"alpha": 2.0}, "he_normal"),
    ("leaky_relu", {"negative_slope": 0.01}, "he_normal"),  # PyTorch's default slope
    ("selu", {}, "lecun_normal"),  # self-normalizing only with LeCun normal weights (Klambauer et al.)
    ("gelu", {}, "he_normal"),
    ("silu", {}, "he_normal"),
    ("softplus", {"beta": 1.0}, "he_normal"),
    ("mish", {}, "he_normal"),
]
QUICK_ACTIVATIONS = (("relu", {}), ("elu", {"alpha": 1.0}))
# Per model: what it is, where its settings come from, and the protocol (same for every activation).
MODELS = {
    "mlp_8x128": dict(
        description="8 fully-connected hidden layers of 128 units, then a linear head; no normalization, no dropout",
        source="the ELU paper's MNIST experiment (Clevert et al. 2015, arXiv:1511.07289, section 4.1): eight hidden "
               "layers of 128 units, SGD with learning rate 0.01, mini-batches of 64, He et al. initialization",
        lr=0.01, momentum=0.0, batch_size=64, epochs=1, targets=[0.7, 0.75, 0.8]),
    "conv_2layer": dict(
        description="conv 5x5 stride 2 (1->8 channels), activation, conv 3x3 stride 2 (8->16), activation, "
                    "linear head 784->10; no normalization, no pooling, no dropout",
        source="the ELU paper's CIFAR setting for the optimizer (SGD, learning rate 0.01, momentum 0.9, "
               "mini-batches of 100); the architecture is the issue's: conv then activation, twice, then a linear head",
        lr=0.01, momentum=0.9, batch_size=100, epochs=1, targets=[0.75, 0.8, 0.84]),
}
SCHEDULE_RATIONALE = (
    "Chosen once, before any run, for every activation: each model keeps its source's optimizer, batch size "
    "and a constant learning rate (no warm-up, no decay, nothing tuned on any activation, so no activation "
    "gets a schedule tuned for it); one epoch each, what fits every activation and seed in the 30-minute "
    "budget on a 2-core CPU. Targets are round test accuracies that a 2-seed pilot of ReLU and the ELU alpha "
    "sweep crossed between the first checkpoints and the end of the epoch, fixed before the committed run.")
FIRST_EVAL, EVAL_RATIO = 16, 2 ** 0.5  # checkpoints: eval_steps()
# Rounds and steps per sample of the interleaved step timing: many short rounds (a round of the
# MLP's 11 activations takes ~0.3 s) so that a burst of load on a shared machine spoils a few
# rounds, not the comparison; the median of 21 per-round ratios has a 95% interval between the
# 6th and 16th of them (convergence_stats.median_ci).
STEP_TIMING = (21, 6)
BLAS_SHAPE = (128, 784, 256)  # M, K, N: a batch of 128 through the MLP's first layer, widened
REFERENCE_BLAS_DIR = "/usr/lib/x86_64-linux-gnu/blas"  # Debian's libblas3 (reference BLAS)


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Time-to-accuracy of ReLU, ELU (α sweep) and other "
                                "activations on Fashion-MNIST with PyTorch.")
    p.add_argument("-o", "--output", help="results JSON to write (default results/convergence-<device>.json)")
    p.add_argument("--force", action="store_true", help="replace OUTPUT when it exists")
    p.add_argument("--charts", help="folder for the charts (default results/charts/<output name>)")
    p.add_argument("--no-charts", action="store_true", help="write the results only")
    p.add_argument("--readme", help="also write the answer between this README's convergence markers "
                   "(plot_convergence.py --readme)")
    p.add_argument("--quick", action="store_true", help="plumbing check: relu and elu, 2 seeds, 2,000 images, 1 epoch")
    p.add_argument("--seeds", type=int, default=6, help="seeds per (model, activation) (default 6: the fewest "
                   "for which a two-sided Wilcoxon signed-rank test can reach p < 0.05)")
    p.add_argument("--models", help="comma-separated subset of " + ",".join(MODELS))
    p.add_argument("--activations", help="comma-separated subset of the activation names (elu: every α), "
                   "e.g. relu,elu; a subset is for trying things out, not for the committed run")
    p.add_argument("--data", default=str(DATA_DIR), help=f"folder of the Fashion-MNIST IDX files (default {DATA_DIR})")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1; see docs/convergence.md)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="default: cuda when available")
    p.add_argument("--note", help="a note on the machine, stored in host.note (e.g. 'shared with other jobs')")
    p.add_argument("--measure-blas", action="store_true", help=argparse.SUPPRESS)  # the child of blas_info()
    args = p.parse_args(argv)
    if args.seeds < 1 or args.threads < 1:
        p.error("--seeds and --threads must be at least 1")
    for given, known, what in ((args.models, list(MODELS), "model"),
                               (args.activations, list(dict.fromkeys(a[0] for a in ACTIVATIONS)), "activation")):
        unknown = set(given.split(",")) - set(known) if given else set()
        if unknown:
            p.error(f"unknown {what} {sorted(unknown)[0]!r} (choose from {', '.join(known)})")
    return args


def selected_models(args) -> dict:
    names = args.models.split(",") if args.models else list(MODELS)
    models = {n: dict(MODELS[n]) for n in names}
    if args.quick:
        for m in models.values():
            m["epochs"] = 1
    return models


def selected_activations(args) -> list:
    acts = ACTIVATIONS
    if args.quick:
        acts = [a for a in acts if (a[0], a[1]) in QUICK_ACTIVATIONS]
    if args.activations:
        acts = [a for a in acts if a[0] in args.activations.split(",")]
    return acts


# ---------------------------------------------------------------------------------------------
# Data


def load_split(data_dir: Path, split: str, limit: int | None):
    """(images as float32 [n, 784] in [0, 1], labels as int64 [n]) of one split, as numpy."""
    names = {"train": "train", "test": "t10k"}[split]
    pair = []
    for kind, idx in (("images", 3), ("labels", 1)):
        base = data_dir / f"{names}-{kind}-idx{idx}-ubyte"
        path = base.with_name(base.name + ".gz") if not base.exists() else base
        pair.append(idx_reader.read_idx(path))
    images, labels = pair
    if len(images.dims) != 3 or images.dims[1:] != (28, 28) or images.type_code != 0x08:
        raise idx_reader.IdxError(f"{data_dir}: {split} images are not n x 28 x 28 unsigned bytes")
    if len(labels.dims) != 1 or labels.dims[0] != images.dims[0] or labels.type_code != 0x08:
        raise idx_reader.IdxError(f"{data_dir}: {split} labels do not match its {images.dims[0]} images")
    x, y = images.array(), labels.array()
    if int(y.max()) > 9:
        raise idx_reader.IdxError(f"{data_dir}: {split} label {int(y.max())} is not a Fashion-MNIST class (0-9)")
    n = len(y) if limit is None else min(limit, len(y))
    return x[:n].reshape(n, 784).astype("float32") / 255.0, y[:n].astype("int64")


def load_data(data_dir: Path, limit: int | None):
    """(train x, train y, test x, test y) as numpy, the images standardized with the training
    images' mean and std, and the data's entry of the results file. Read before torch is imported,
    so that a bad file is reported at once."""
    xtr, ytr = load_split(data_dir, "train", limit)
    xte, yte = load_split(data_dir, "test", limit)
    mean, std = float(xtr.mean()), float(xtr.std())
    info = {"name": "fashion-mnist", "path": str(data_dir), "train_images": len(ytr), "test_images": len(yte),
            "pixel_mean": round(mean, 6), "pixel_std": round(std, 6)}
    return ((xtr - mean) / std, ytr, (xte - mean) / std, yte), info


# ---------------------------------------------------------------------------------------------
# Models, activations, initialization


def torch_activation(nn, name: str, params: dict):
    """The torch module of one of ACTIVATIONS."""
    make = {"relu": nn.ReLU, "elu": lambda: nn.ELU(alpha=params["alpha"]),
            "leaky_relu": lambda: nn.LeakyReLU(params["negative_slope"]), "selu": nn.SELU, "gelu": nn.GELU,
            "silu": nn.SiLU, "softplus": lambda: nn.Softplus(beta=params["beta"]), "mish": nn.Mish}
    return make[name]()


def mlp_8x128(nn, act):
    layers, width = [], 784
    for _ in range(8):
        layers += [nn.Linear(width, 128), act()]
        width = 128
    return nn.Sequential(*layers, nn.Linear(width, 10))


def conv_2layer(nn, act):
    # Stride-2 convolutions instead of pooling: two activation tensors (8x14x14 and 16x7x7 per
    # image), cheap enough that every activation and seed fits the CPU budget.
    return nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 8, 5, stride=2, padding=2), act(),
                         nn.Conv2d(8, 16, 3, stride=2, padding=1), act(), nn.Flatten(), nn.Linear(16 * 7 * 7, 10))


BUILDERS = {"mlp_8x128": mlp_8x128, "conv_2layer": conv_2layer}
assert set(BUILDERS) == set(MODELS)


def build_model(torch, model: str, name: str, params: dict, init: str, seed: int):
    """The model with every weight drawn as N(0, gain / fan_in) from one seeded draw of standard
    normals: the same draw for every activation, scaled by its initialization (he_normal: gain 2,
    He et al. 2015; lecun_normal: gain 1, for SELU); biases 0. Drawn on the CPU so that a GPU run
    starts from the same weights."""
    net = BUILDERS[model](torch.nn, lambda: torch_activation(torch.nn, name, params))
    gain = {"he_normal": 2.0, "lecun_normal": 1.0}[init]
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for mod in net.modules():
            if isinstance(mod, (torch.nn.Linear, torch.nn.Conv2d)):
                fan_in = mod.weight[0].numel()
                mod.weight.copy_(torch.randn(mod.weight.shape, generator=gen) * math.sqrt(gain / fan_in))
                mod.bias.zero_()
    return net


def parameter_count(torch, model: str) -> int:
    net = BUILDERS[model](torch.nn, torch.nn.ReLU)
    return sum(p.numel() for p in net.parameters())


def activation_elements(torch, model: str, batch: int) -> list:
    """Elements each activation layer of the model computes per training step (its forward call
    at the training batch size): the n at which elubench's per-call cost applies."""
    sizes = []
    net = BUILDERS[model](torch.nn, torch.nn.ReLU)
    for mod in net.modules():
        if isinstance(mod, torch.nn.ReLU):
            mod.register_forward_hook(lambda _m, _i, out: sizes.append(out.numel()))
    with torch.no_grad():
        net(torch.zeros(batch, 784))
    return sizes


# ---------------------------------------------------------------------------------------------
# Training


def sig(v: float, digits: int = 6) -> float:
    return float(f"{v:.{digits}g}")


def eval_steps(steps_per_epoch: int, epochs: int, first: int = FIRST_EVAL, ratio: float = EVAL_RATIO) -> list:
    """The steps after which a run is evaluated: first, first·ratio, first·ratio², ... (rounded)
    and every epoch's end. Geometric, so the steps to a target are bracketed within a factor of
    `ratio` wherever the target is reached, early or late."""
    total, steps, x = steps_per_epoch * epochs, set(), float(first)
    while x < total:
        steps.add(round(x))
        x *= ratio
    return sorted(steps | {steps_per_epoch * (e + 1) for e in range(epochs)})


def evaluate(ctx, net):
    """(test accuracy, mean test cross-entropy or None when not finite), in batches of 2,000."""
    torch, (_, _, x, y) = ctx.torch, ctx.data
    correct, loss = 0, 0.0
    net.eval()
    with torch.no_grad():
        for i in range(0, len(y), 2000):
            out = net(x[i:i + 2000])
            loss += float(torch.nn.functional.cross_entropy(out, y[i:i + 2000], reduction="sum"))
            correct += int((out.argmax(1) == y[i:i + 2000]).sum())
    net.train()
    return correct / len(y), (sig(loss / len(y)) if math.isfinite(loss) else None)


def train_chunk(ctx, net, opt, order, start: int, stop: int, batch: int):
    """Steps start..stop-1 of the epoch whose shuffled order is `order`: (sum of their training
    losses, seconds). The losses are summed on the device and read once, so a GPU is synchronized
    only at the chunk's ends (the timer's)."""
    torch, (x, y, _, _) = ctx.torch, ctx.data
    steps_per_epoch = math.ceil(len(y) / batch)
    ctx.sync()
    t0 = time.perf_counter()
    total = torch.zeros((), device=x.device)
    for step in range(start, stop):
        i = step % steps_per_epoch
        idx = order[i * batch:(i + 1) * batch]
        loss = torch.nn.functional.cross_entropy(net(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.detach()
    ctx.sync()
    return float(total), time.perf_counter() - t0


class RunState:
    """What one run has recorded so far."""

    def __init__(self):
        self.checkpoints, self.epochs, self.chunks = [], [], []
        self.train_seconds, self.step, self.diverged = 0.0, 0, None

    def checkpoint(self, ctx, net, steps_per_epoch, train_loss):
        acc, test_loss = evaluate(ctx, net)
        self.checkpoints.append({"step": self.step, "epoch": sig(self.step / steps_per_epoch, 4),
                                 "train_loss": None if train_loss is None else sig(train_loss),
                                 "test_accuracy": acc, "test_loss": test_loss,
                                 "train_seconds": sig(self.train_seconds)})


def train_epoch(ctx, net, opt, spec, gen, epoch: int, st: RunState) -> bool:
    """One epoch, evaluated at its spec["eval_steps"]; False when the loss stopped being finite."""
    n, batch = len(ctx.data[1]), spec["batch_size"]
    spe = math.ceil(n / batch)
    t0, loss_sum, train0 = time.perf_counter(), 0.0, st.train_seconds
    order = ctx.torch.randperm(n, generator=gen).to(ctx.data[1].device)  # same order for every activation
    for stop in [s for s in spec["eval_steps"] if epoch * spe < s <= (epoch + 1) * spe]:
        chunk_loss, seconds = train_chunk(ctx, net, opt, order, st.step, stop, batch)
        steps, st.step = stop - st.step, stop
        st.train_seconds += seconds
        st.chunks.append(sig(seconds / steps))
        finite = math.isfinite(chunk_loss)
        loss_sum += chunk_loss
        st.checkpoint(ctx, net, spe, chunk_loss / steps if finite else None)
        if not finite:
            st.diverged = f"training loss not finite by step {st.step}"
            return False
    st.epochs.append({"epoch": epoch + 1, "train_loss": sig(loss_sum / spe), "test_accuracy": st.checkpoints[-1]["test_accuracy"],
                      "train_seconds": sig(st.train_seconds - train0), "wall_seconds": sig(time.perf_counter() - t0)})
    return True


def train_run(ctx, model: str, spec: dict, act: tuple, seed: int, order: int) -> dict:
    """One (model, activation, seed) run, as the schema's run record; spec is the model's entry
    in the results file (its optimizer, batch size, epochs, eval steps and targets)."""
    torch, (name, params, init) = ctx.torch, act
    t0 = time.perf_counter()
    net = build_model(torch, model, name, params, init, seed).to(ctx.device)
    opt = torch.optim.SGD(net.parameters(), lr=spec["optimizer"]["lr"], momentum=spec["optimizer"]["momentum"])
    gen = torch.Generator().manual_seed(seed)
    st = RunState()
    st.checkpoint(ctx, net, 1, None)
    for epoch in range(spec["epochs"]):
        if not train_epoch(ctx, net, opt, spec, gen, epoch, st):
            break
    targets = []
    for t in spec["targets"]:
        steps, seconds = cio.first_reached(st.checkpoints, t)
        targets.append({"accuracy": t, "steps": steps, "seconds": seconds})
    step_seconds = None
    if st.step:
        step_seconds = {"mean": sig(st.train_seconds / st.step), "median": sig(statistics.median(st.chunks)),
                        "chunks": st.chunks}
    return {"model": model, "activation": name, "params": params, "alpha": params.get("alpha"), "seed": seed,
            "order": order, "status": "diverged" if st.diverged else "ok", "reason": st.diverged,
            "checkpoints": st.checkpoints, "epochs": st.epochs, "targets": targets, "steps": st.step,
            "step_seconds": step_seconds, "wall_seconds": sig(time.perf_counter() - t0), "loadavg_end": loadavg()}


def time_steps(ctx, models: list, acts: list, rounds: int, steps: int) -> dict:
    """Per model, every activation's training step timed in interleaved rounds on the same batches
    (the first `steps` of the training set, in order): a round times `steps` steps of each
    activation's network, the activation order rotated by an even share per round, so that the
    per-step cost ratio of two activations is paired by round and measured seconds apart."""
    torch, rows = ctx.torch, []
    order = torch.arange(len(ctx.data[1]), device=ctx.data[1].device)
    for m in models:
        nets = []
        for name, params, init in acts:
            net = build_model(torch, m["name"], name, params, init, 0).to(ctx.device)
            opt = torch.optim.SGD(net.parameters(), lr=m["optimizer"]["lr"], momentum=m["optimizer"]["momentum"])
            train_chunk(ctx, net, opt, order, 0, 2, m["batch_size"])  # warm-up: first-call allocations
            nets.append((name, params, net, opt, []))
        for r in range(rounds):
            shift = (r * len(nets)) // rounds
            for name, params, net, opt, samples in nets[shift:] + nets[:shift]:
                _, seconds = train_chunk(ctx, net, opt, order, 0, steps, m["batch_size"])
                samples.append(sig(seconds / steps))
        rows += [{"model": m["name"], "activation": name, "params": params, "alpha": params.get("alpha"),
                  "per_step_seconds": samples} for name, params, _, _, samples in nets]
    return {"rounds": rounds, "steps_per_sample": steps, "rows": rows}


# ---------------------------------------------------------------------------------------------
# Host, framework, BLAS


def loadavg() -> list:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # not every platform has it; the schema wants three numbers
        return [0.0, 0.0, 0.0]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def matmul_gflops(torch, shape=BLAS_SHAPE, repeats=5, calls=20) -> float:
    """GFLOP/s of one float32 matmul of shape (M, K, N) on the CPU: best of `repeats` batches."""
    m, k, n = shape
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(3):
        a @ b
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            a @ b
        best = min(best, (time.perf_counter() - t0) / calls)
    return sig(2 * m * k * n / best / 1e9, 4)


def loaded_blas() -> str:
    """The BLAS library this process has mapped (torch links libblas.so.3; Debian's alternatives
    pick OpenBLAS when libopenblas0-pthread is installed, else the reference BLAS)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "unknown"
    libs = sorted({ln.split()[-1] for ln in maps.splitlines() if re.search(r"lib(open)?blas", ln)})
    return ", ".join(libs) if libs else "unknown"


def blas_info(torch, measure: bool, threads: int) -> dict:
    """The BLAS torch uses and the matmul GFLOP/s with it and with the reference BLAS (a child
    process with Debian's reference libblas first on LD_LIBRARY_PATH), one thread each."""
    info = {"library": loaded_blas(), "shape": list(BLAS_SHAPE), "threads": 1, "gflops": None, "reference_gflops": None}
    if not measure:
        return info
    torch.set_num_threads(1)
    info["gflops"] = matmul_gflops(torch)
    torch.set_num_threads(threads)
    if Path(REFERENCE_BLAS_DIR, "libblas.so.3").exists():
        env = dict(os.environ, LD_LIBRARY_PATH=REFERENCE_BLAS_DIR)
        r = subprocess.run([sys.executable, __file__, "--measure-blas"], env=env, capture_output=True, text=True, timeout=300)
        if r.returncode == 0 and r.stdout.strip():
            info["reference_gflops"] = float(r.stdout.split()[-1])
    return info


def git_revision() -> str:
    try:
        root = Path(__file__).resolve().parent.parent
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        return (rev + ("-dirty" if dirty else "")) if rev else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def tool_version() -> str:
    text = (script_io.ROOT / "CMakeLists.txt").read_text(errors="replace") if (script_io.ROOT / "CMakeLists.txt").exists() else ""
    m = re.search(r"project\(elubench VERSION ([0-9.]+)", text)
    return m.group(1) if m else "unknown"


# ---------------------------------------------------------------------------------------------
# The run: set-up, order, progress, output


class Context:
    """torch, the device, its synchronization, and the data tensors (train x, y, test x, y)."""

    def __init__(self, torch, device: str):
        self.torch, self.device, self.data = torch, device, None
        self.sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)


def setup_torch(args) -> Context:
    # cuBLAS is deterministic only with a fixed workspace; it must be set before CUDA starts.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    try:
        import torch
    except ImportError:
        raise script_io.InputError(f"PyTorch is not importable by {sys.executable} (Debian: apt-get install python3-torch; "
                             "run this script with /usr/bin/python3, not the .venv)") from None
    if args.device == "cuda" and not torch.cuda.is_available():
        raise script_io.InputError("--device cuda: this PyTorch sees no CUDA device")
    device = "cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu"
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.set_num_threads(args.threads)
    return Context(torch, device)


def schedule(models: list, acts: list, seeds: list) -> list:
    """(model, activation, seed) in run order: seed-major; within a seed, the activation order is
    rotated by an even share of its length per seed (each activation runs early, in the middle
    and late) and each activation's models run back to back, their order swapped every seed."""
    plan = []
    for i, seed in enumerate(seeds):
        shift = (i * len(acts)) // len(seeds)
        ms = models if i % 2 == 0 else models[::-1]
        plan += [(m, a, seed) for a in acts[shift:] + acts[:shift] for m in ms]
    return plan


def fmt_duration(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


class Progress:
    """One line per finished run, with the time left: each run still to go is expected to take the
    mean of the finished runs of its (model, activation), else of its model, else of all."""

    def __init__(self, plan):
        self.plan, self.t0, self.took = plan, time.perf_counter(), {}

    def eta(self, k: int) -> float:
        def mean(xs):
            return sum(xs) / len(xs)
        all_runs = [s for v in self.took.values() for s in v]
        left = 0.0
        for model, act, _ in self.plan[k:]:
            same = self.took.get((model, act[0], str(act[1])))
            of_model = [s for (m, _, _), v in self.took.items() if m == model for s in v]
            left += mean(same or of_model or all_runs)
        return left

    def report(self, k: int, run: dict) -> None:
        key = (run["model"], run["activation"], str(run["params"]))
        self.took.setdefault(key, []).append(run["wall_seconds"])
        label = cio.act_label(cio.act_key(run["activation"], run["params"]))
        acc = run["checkpoints"][-1]["test_accuracy"]
        print(f"[{k}/{len(self.plan)}] {run['model']} {label} seed {run['seed']}: {acc:.1%} test accuracy, "
              f"{run['wall_seconds']:.1f} s ({run['status']}) · elapsed {fmt_duration(time.perf_counter() - self.t0)}"
              f" · ETA {fmt_duration(self.eta(k))} · load {run['loadavg_end'][0]:.1f}", file=sys.stderr, flush=True)


def model_entries(torch, models: dict, n_train: int) -> list:
    return [{"name": name, "description": m["description"], "source": m["source"],
             "parameters": parameter_count(torch, name),
             "activation_elements": activation_elements(torch, name, m["batch_size"]),
             "optimizer": {"name": "sgd", "lr": m["lr"], "momentum": m["momentum"], "schedule": "constant"},
             "batch_size": m["batch_size"], "epochs": m["epochs"], "steps_per_epoch": math.ceil(n_train / m["batch_size"]),
             "eval_steps": eval_steps(math.ceil(n_train / m["batch_size"]), m["epochs"]), "targets": m["targets"]}
            for name, m in models.items()]


def document(args, ctx, models: dict, acts: list, seeds: list, data_info: dict) -> dict:
    """The results file before any run: everything but the runs."""
    torch = ctx.torch
    name = torch.cuda.get_device_name() if ctx.device == "cuda" else cpu_model()
    schema, version = cio.identity()
    return {
        "schema": schema, "schema_version": version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "complete": False,
        "tool": {"name": "elubench convergence.py", "version": tool_version(), "git_revision": git_revision()},
        "command_line": shlex.join([Path(sys.executable).name, *sys.argv]),
        "host": {"hostname": socket.gethostname(), "cpu_model": cpu_model(), "cores": os.cpu_count() or 1,
                 "loadavg_start": loadavg(), "loadavg_end": loadavg(), "note": args.note},
        "device": {"kind": ctx.device, "name": name, "threads": torch.get_num_threads()},
        "framework": {"name": "pytorch", "version": torch.__version__, "python": platform.python_version(),
                      "cuda": torch.version.cuda, "deterministic": torch.are_deterministic_algorithms_enabled(),
                      "blas": blas_info(torch, ctx.device == "cpu", args.threads)},
        "data": data_info,
        "protocol": {"seeds": seeds, "quick": args.quick, "schedule_rationale": SCHEDULE_RATIONALE,
                     "order": "seed-major; per seed the activation order rotated by an even share, "
                              "each activation's models back to back, their order swapped every seed"},
        "models": model_entries(torch, models, data_info["train_images"]),
        "activations": [{"activation": n, "params": p, "alpha": p.get("alpha"), "init": i} for n, p, i in acts],
        "step_timing": None,
        "runs": [],
    }


def output_path(args, device_name: str, kind: str) -> Path:
    if args.output:
        out = Path(args.output)
    else:
        slug = re.sub(r"[^a-z0-9]+", "-", device_name.lower()).strip("-")[:40] or "unknown"
        out = script_io.ROOT / "results" / f"convergence-{kind}-{slug}{'-quick' if args.quick else ''}.json"
    if out.exists() and not args.force:
        raise script_io.InputError(f"{out}: exists; pass --force to replace it (or -o another file)")
    if out.is_dir() or (out.exists() and not out.is_file()):
        raise script_io.InputError(f"{out}: exists and is not a regular file")
    if not out.parent.is_dir():
        raise script_io.InputError(f"{out.parent}: no such folder")
    return out


def run_all(ctx, doc: dict, acts: list, seeds: list, out: Path) -> None:
    """Every run in schedule order; the file is rewritten (complete: false) after each."""
    models = {m["name"]: m for m in doc["models"]}
    plan = schedule(list(models), acts, seeds)
    progress = Progress(plan)
    print(f"{PROG}: {len(plan)} runs ({len(models)} models x {len(acts)} activations x {len(seeds)} seeds) on "
          f"{doc['device']['name']} ({ctx.device}, {doc['device']['threads']} thread(s)), torch "
          f"{doc['framework']['version']}, load {doc['host']['loadavg_start'][0]:.1f}", file=sys.stderr, flush=True)
    for k, (model, act, seed) in enumerate(plan, 1):
        run = train_run(ctx, model, models[model], act, seed, k - 1)
        doc["runs"].append(run)
        doc["host"]["loadavg_end"] = run["loadavg_end"]
        cio.write(doc, out)
        progress.report(k, run)


def draw_charts(args, out: Path) -> int:
    """plot_convergence.py in the .venv (scipy, matplotlib): charts, summary.md, the answer."""
    charts = Path(args.charts) if args.charts else script_io.ROOT / "results" / "charts" / out.stem
    venv = script_io.ROOT / ".venv" / "bin" / "python"
    cmd = [str(venv), str(Path(__file__).with_name("plot_convergence.py")), str(out), "-o", str(charts)]
    cmd += ["--readme", args.readme] if args.readme else []
    if not venv.exists():
        print(f"{PROG}: no .venv (bash scripts/install_deps.sh); charts later with: {shlex.join(cmd)}", file=sys.stderr)
        return 0
    return subprocess.run(cmd).returncode


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.measure_blas:  # the child process of blas_info(), under the reference BLAS
        import torch
        torch.set_num_threads(1)
        print(matmul_gflops(torch))
        return 0
    if args.output:  # refuse an existing file before loading anything
        output_path(args, "", "")
    arrays, data_info = load_data(Path(args.data), 2000 if args.quick else None)
    ctx = setup_torch(args)
    device_name = ctx.torch.cuda.get_device_name() if ctx.device == "cuda" else cpu_model()
    out = output_path(args, device_name, ctx.device)
    ctx.data = tuple(ctx.torch.from_numpy(a).to(ctx.device) for a in arrays)
    models, acts = selected_models(args), selected_activations(args)
    seeds = list(range(2 if args.quick else args.seeds))
    doc = document(args, ctx, models, acts, seeds, data_info)
    try:
        print(f"{PROG}: timing every activation's training step, interleaved", file=sys.stderr, flush=True)
        doc["step_timing"] = time_steps(ctx, doc["models"], acts, *((2, 3) if args.quick else STEP_TIMING))
        run_all(ctx, doc, acts, seeds, out)
    except KeyboardInterrupt:
        kept = f"{len(doc['runs'])} finished runs kept in {out} (complete: false)" if doc["runs"] else "nothing written"
        print(f"{PROG}: interrupted; {kept}", file=sys.stderr)
        return 130
    doc["complete"] = True
    cio.write(doc, out)
    print(f"results: {out}")
    return 0 if args.no_charts else draw_charts(args, out)


if __name__ == "__main__":
    sys.exit(script_io.run_main(PROG, main))
