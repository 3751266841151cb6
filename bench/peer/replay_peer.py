"""numpy/scipy peer of `driftwatch replay` (bench/replay.ts), and the writer of the CI fixture's
expectations (test/fixtures/replay/expected.scipy.json).

The computation a data scientist would write for "compare production events with the training
data", with the definitions of statistics.md, on the same files driftwatch reads:

- training CSV: pandas `read_csv`; a column's type is its pandas dtype (bool -> boolean, a number
  -> numeric, anything else -> categorical); the prediction column becomes `__prediction__`;
- events: one JSON object per line, read by one of two parsers (`--parser`):
  - `orjson` (default): `orjson.loads` per line (the standard `json` module when orjson is
    missing), numeric values appended to float64 arrays, categories counted as they come; lines are
    rejected as driftwatch rejects them (not JSON, not an object, no `model`, another model, a `ts`
    that is neither RFC 3339 nor epoch milliseconds), counted by reason;
  - `pyarrow`: `pyarrow.json.read_json` (multithreaded C++, the whole file as a columnar table),
    then the same checks on the columns; falls back to orjson when pyarrow cannot read the file
    (a line that is not a JSON object, or a field whose type changes);
- numeric features: every valid value kept (float64), then PSI on `np.quantile(ref, k/10)` cut
  points (merged, `searchsorted(side='left')`, epsilon 1e-4 without renormalising),
  `scipy.stats.ks_2samp(ref, cur)` with its default method (the method it used is recorded), and
  `scipy.spatial.distance.jensenshannon` on the raw bin proportions;
- categorical and boolean features: counts per category (booleans as "false"/"true"), PSI over the
  sorted baseline categories plus `__other__`, `scipy.stats.chisquare(cur, ref * m / n)` (null when
  the events hold categories the training data lacks), Jensen-Shannon as above.
Nulls, NaN and values of the wrong type are left out of every statistic.

    python replay_peer.py --model M --train train.csv --events events.jsonl --out out.json
        [--prediction-column score] [--bins 10] [--parser orjson|pyarrow] [--fixture]

Writes one JSON document: the per-feature figures under the field names of driftwatch's report,
the input counts, the library versions and (unless --fixture, which keeps only reproducible
content) the wall time of each phase and the peak RSS of the process.
"""
import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402
import array  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import datetime  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.spatial.distance import jensenshannon  # noqa: E402

try:
    import orjson

    _loads = orjson.loads
    _JSON_ERRORS = (orjson.JSONDecodeError,)
    PARSER = f"orjson {orjson.__version__}"
except ImportError:  # pragma: no cover - the benchmark installs orjson
    _loads = json.loads
    _JSON_ERRORS = (ValueError,)
    PARSER = "json (standard library)"

PREDICTION = "__prediction__"
OTHER = "__other__"
EPSILON = 1e-4
# scipy's ks_2samp(method='auto') uses 'exact' up to this size (MAX_AUTO_N in _stats_py.py).
KS_MAX_AUTO_N = 10_000
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def column_type(series):
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    return "categorical"


def category(value):
    """A categorical observation as driftwatch counts it: strings as they are, booleans as words."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    return None


class Feature:
    """One feature: its reference (from the CSV) and the events' values or counts."""

    def __init__(self, name, kind, column):
        self.name = name
        self.kind = kind
        valid = column.dropna()
        if kind == "numeric":
            ref = valid.to_numpy(dtype=np.float64)
            self.reference = ref[np.isfinite(ref)]
            self.values = array.array("d")
            # Set instead of `values` by the pyarrow reader.
            self.current = None
        else:
            if kind == "boolean":
                valid = valid.map(lambda b: "true" if b else "false")
            self.reference_counts = Counter(valid.astype(str).tolist())
            self.counts = Counter()


def read_train(path, prediction_column):
    frame = pd.read_csv(path)
    features = []
    for name in frame.columns:
        if name == prediction_column:
            continue
        features.append(Feature(name, column_type(frame[name]), frame[name]))
    if prediction_column is not None:
        features.append(Feature(PREDICTION, column_type(frame[prediction_column]), frame[prediction_column]))
    return features


def valid_ts(ts):
    if ts is None:
        return True
    if type(ts) is int or type(ts) is float:
        return math.isfinite(ts) and ts >= 0
    if isinstance(ts, str) and RFC3339.match(ts):
        try:
            datetime.fromisoformat(ts)
            return True
        except ValueError:
            return False
    return False


def read_events(path, model, features):
    """Streams the events, keeping numeric values in float64 arrays and categories as counts."""
    numeric = [(f.name, f.values.append) for f in features if f.kind == "numeric" and f.name != PREDICTION]
    categorical = [(f.name, f.counts) for f in features if f.kind != "numeric" and f.name != PREDICTION]
    prediction = next((f for f in features if f.name == PREDICTION), None)
    lines = 0
    rejected = Counter()
    with open(path, "rb") as events:
        for line in events:
            if not line.strip():
                continue
            lines += 1
            try:
                event = _loads(line)
            except _JSON_ERRORS:
                rejected["invalid_json"] += 1
                continue
            if type(event) is not dict:
                rejected["not_object"] += 1
                continue
            name = event.get("model")
            if name is None or name == "":
                rejected["missing_model"] += 1
                continue
            if name != model:
                rejected["unknown_model" if isinstance(name, str) else "invalid_field"] += 1
                continue
            if not valid_ts(event.get("ts")):
                rejected["invalid_field"] += 1
                continue
            values = event.get("features") or {}
            if type(values) is not dict:
                rejected["invalid_field"] += 1
                continue
            for key, append in numeric:
                v = values.get(key)
                if type(v) is float or type(v) is int:
                    append(v)
            for key, counts in categorical:
                c = category(values.get(key))
                if c is not None:
                    counts[c] += 1
            if prediction is not None:
                p = event.get("prediction")
                if type(p) is dict:
                    p = p.get("score") if prediction.kind == "numeric" else p.get("label")
                if prediction.kind == "numeric":
                    if type(p) is float or type(p) is int:
                        prediction.values.append(p)
                else:
                    c = category(p)
                    if c is not None:
                        prediction.counts[c] += 1
    return {
        "lines": lines,
        "accepted": lines - sum(rejected.values()),
        "rejected": sum(rejected.values()),
        "rejected_by_reason": dict(sorted(rejected.items())),
    }


def read_events_arrow(path, model, features):
    """The same as read_events, on a pyarrow table of the whole file; raises when pyarrow cannot read it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    table = pj.read_json(path)
    lines = table.num_rows
    rejected = Counter()
    names = table.column("model") if "model" in table.column_names else pa.nulls(lines, pa.string())
    missing = pc.fill_null(pc.or_kleene(pc.is_null(names), pc.equal(names, "")), True)
    ours = pc.fill_null(pc.equal(names, model), False)
    rejected["missing_model"] = pc.sum(missing).as_py() or 0
    rejected["unknown_model"] = lines - rejected["missing_model"] - (pc.sum(ours).as_py() or 0)
    keep = ours
    if "ts" in table.column_names:
        ts = table.column("ts")
        if pa.types.is_string(ts.type):
            # The regex alone lets "2026-13-45T..." through, which driftwatch rejects; good enough
            # for the benchmark, whose timestamps are all valid (the orjson reader checks fully).
            ok = pc.fill_null(pc.match_substring_regex(ts, RFC3339.pattern), True)
        elif pa.types.is_integer(ts.type) or pa.types.is_floating(ts.type):
            ok = pc.fill_null(pc.greater_equal(ts, 0), True)
        else:
            raise ValueError(f"ts has type {ts.type}")
        bad_ts = pc.and_(keep, pc.invert(ok))
        rejected["invalid_field"] = pc.sum(bad_ts).as_py() or 0
        keep = pc.and_(keep, ok)
    table = table.filter(keep)
    columns = {}
    if "features" in table.column_names:
        struct = table.column("features")
        for i in range(struct.type.num_fields):
            columns[struct.type.field(i).name] = pc.struct_field(struct, [i])
    if "prediction" in table.column_names:
        columns[PREDICTION] = table.column("prediction")
    for feature in features:
        column = columns.get(feature.name)
        if column is None:
            continue
        if feature.kind == "numeric":
            if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
                raise ValueError(f"{feature.name} has type {column.type}")
            feature.current = pc.drop_null(column).to_numpy().astype(np.float64, copy=False)
        else:
            if pa.types.is_boolean(column.type):
                column = pc.if_else(column, "true", "false")
            elif not pa.types.is_string(column.type):
                raise ValueError(f"{feature.name} has type {column.type}")
            for entry in pc.value_counts(pc.drop_null(column)).to_pylist():
                feature.counts[entry["values"]] += entry["counts"]
    rejected = Counter({k: v for k, v in rejected.items() if v})
    return {
        "lines": lines,
        "accepted": lines - sum(rejected.values()),
        "rejected": sum(rejected.values()),
        "rejected_by_reason": dict(sorted(rejected.items())),
    }


def psi(p_ref, p_cur):
    r = np.where(p_ref == 0, EPSILON, p_ref)
    c = np.where(p_cur == 0, EPSILON, p_cur)
    return float(np.sum((c - r) * np.log(c / r)))


def ks_2samp(ref, cur):
    """scipy's ks_2samp with its default method, and the name of the method that produced the p-value."""
    method = "exact" if max(len(ref), len(cur)) <= KS_MAX_AUTO_N else "asymp"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = stats.ks_2samp(ref, cur)
    if any("Switching to" in str(w.message) for w in caught):
        method = "asymp"
    return float(result.statistic), float(result.pvalue), method


def evaluate_numeric(feature, bins):
    ref = feature.reference
    cur = feature.current if feature.current is not None else np.frombuffer(feature.values, dtype=np.float64)
    cur = cur[np.isfinite(cur)]
    out = {"feature": feature.name, "type": "numeric", "n_reference": int(len(ref)), "n_current": int(len(cur))}
    if len(ref) == 0 or len(cur) == 0:
        return out | empty_statistics()
    cuts = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    p_ref = np.bincount(np.searchsorted(cuts, ref, side="left"), minlength=len(cuts) + 1) / len(ref)
    p_cur = np.bincount(np.searchsorted(cuts, cur, side="left"), minlength=len(cuts) + 1) / len(cur)
    d, p, method = ks_2samp(ref, cur)
    return out | {
        "psi": psi(p_ref, p_cur),
        "ks_statistic": d,
        "ks_pvalue": p,
        "ks_method": method,
        "chi2_statistic": None,
        "chi2_pvalue": None,
        "js_distance": float(jensenshannon(p_ref, p_cur)),
        "cut_points": cuts.tolist(),
        "reference_proportions": p_ref.tolist(),
        "current_proportions": p_cur.tolist(),
    }


def evaluate_categorical(feature):
    categories = sorted(feature.reference_counts)
    ref = np.array([feature.reference_counts[c] for c in categories] + [0], dtype=np.float64)
    known = set(categories)
    unseen = sum(n for c, n in feature.counts.items() if c not in known)
    cur = np.array([feature.counts.get(c, 0) for c in categories] + [unseen], dtype=np.float64)
    n, m = ref.sum(), cur.sum()
    out = {"feature": feature.name, "type": feature.kind, "n_reference": int(n), "n_current": int(m)}
    if n == 0 or m == 0:
        return out | empty_statistics()
    p_ref, p_cur = ref / n, cur / m
    chi2 = None
    if unseen == 0:
        chi2 = stats.chisquare(f_obs=cur[:-1], f_exp=ref[:-1] * m / n)
    return out | {
        "psi": psi(p_ref, p_cur),
        "ks_statistic": None,
        "ks_pvalue": None,
        "ks_method": None,
        "chi2_statistic": None if chi2 is None else float(chi2.statistic),
        "chi2_pvalue": None if chi2 is None else float(chi2.pvalue),
        "js_distance": float(jensenshannon(p_ref, p_cur)),
        "categories": categories + [OTHER],
        "reference_proportions": p_ref.tolist(),
        "current_proportions": p_cur.tolist(),
    }


def empty_statistics():
    return {
        key: None
        for key in ["psi", "ks_statistic", "ks_pvalue", "ks_method", "chi2_statistic", "chi2_pvalue", "js_distance"]
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--prediction-column", default="score")
    parser.add_argument("--bins", type=int, default=10)
    parser.add_argument("--parser", choices=["orjson", "pyarrow"], default="orjson")
    parser.add_argument("--fixture", action="store_true", help="reproducible output only: no timings, no host")
    args = parser.parse_args()

    t0 = time.perf_counter()
    features = read_train(args.train, args.prediction_column or None)
    t1 = time.perf_counter()
    parser_used = PARSER
    if args.parser == "pyarrow":
        try:
            import pyarrow

            counts = read_events_arrow(args.events, args.model, features)
            parser_used = f"pyarrow {pyarrow.__version__} (read_json)"
        except Exception as error:  # noqa: BLE001 - any failure falls back to the line reader
            features = read_train(args.train, args.prediction_column or None)
            counts = read_events(args.events, args.model, features)
            parser_used = f"{PARSER} (pyarrow could not read the file: {str(error).splitlines()[0]})"
    else:
        counts = read_events(args.events, args.model, features)
    t2 = time.perf_counter()
    evaluated = [evaluate_numeric(f, args.bins) if f.kind == "numeric" else evaluate_categorical(f) for f in features]
    t3 = time.perf_counter()

    result = {
        "tool": "numpy/scipy",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
            "parser": parser_used,
        },
        "model": args.model,
        "bins": args.bins,
        "input": counts,
        "features": evaluated,
    }
    if not args.fixture:
        result["timing"] = {
            "imports_seconds": t0 - _STARTED,
            "read_train_seconds": t1 - t0,
            "read_events_seconds": t2 - t1,
            "compute_seconds": t3 - t2,
            "wall_seconds": time.perf_counter() - _STARTED,
            "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        }
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2, allow_nan=False)
        out.write("\n")


if __name__ == "__main__":
    main()
