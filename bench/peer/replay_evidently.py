"""Evidently peer of `driftwatch replay` (bench/replay.ts): its data drift report (`DataDriftPreset`)
on the same training CSV and events, for time and memory. Evidently picks its own tests per column
(for more than 1,000 rows: Wasserstein distance normed by the reference's std for numeric columns,
Jensen-Shannon distance for categorical ones, threshold 0.1), so its figures are reported beside
driftwatch's, not compared with them.

    python replay_evidently.py --model M --train train.csv --events events.jsonl --out out.json
        [--prediction-column score] [--max-events N]

Training CSV with pandas; events with orjson per line into one DataFrame of the features and the
prediction (named as the training file's prediction column), lines of other models or not JSON
objects skipped. --max-events keeps the first N events (a stated subsample) when the whole file is
too slow. Writes the per-column method and value, the drifted columns, the wall time of each phase
and the peak RSS of the process.
"""
import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402

import evidently  # noqa: E402
import orjson  # noqa: E402
import pandas as pd  # noqa: E402
from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--prediction-column", default="score")
    parser.add_argument("--max-events", type=int, default=0, help="0: every event")
    args = parser.parse_args()

    t0 = time.perf_counter()
    reference = pd.read_csv(args.train)
    numeric = [c for c in reference.columns if pd.api.types.is_numeric_dtype(reference[c]) and not pd.api.types.is_bool_dtype(reference[c])]
    categorical = [c for c in reference.columns if c not in numeric]
    t1 = time.perf_counter()
    rows = []
    with open(args.events, "rb") as events:
        for line in events:
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if type(event) is not dict or event.get("model") != args.model:
                continue
            row = dict(event.get("features") or {})
            row[args.prediction_column] = event.get("prediction")
            rows.append(row)
            if args.max_events and len(rows) >= args.max_events:
                break
    current = pd.DataFrame.from_records(rows, columns=list(reference.columns))
    del rows
    t2 = time.perf_counter()
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    result = snapshot.dict()
    t3 = time.perf_counter()

    columns = []
    drifted = None
    for metric in result["metrics"]:
        config = metric["config"]
        if config.get("type", "").endswith("DriftedColumnsCount"):
            drifted = metric["value"]
        elif config.get("type", "").endswith("ValueDrift"):
            columns.append(
                {"column": config["column"], "method": config.get("method"), "threshold": config.get("threshold"), "value": metric["value"]}
            )
    out = {
        "tool": "evidently",
        "versions": {"evidently": evidently.__version__, "pandas": pd.__version__, "orjson": orjson.__version__},
        "model": args.model,
        "n_reference": int(len(reference)),
        "n_current": int(len(current)),
        "subsample": bool(args.max_events),
        "drifted_columns": drifted,
        "columns": columns,
        "timing": {
            "imports_seconds": t0 - _STARTED,
            "read_train_seconds": t1 - t0,
            "read_events_seconds": t2 - t1,
            "compute_seconds": t3 - t2,
            "wall_seconds": time.perf_counter() - _STARTED,
            "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        },
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2, allow_nan=False, default=float)
        f.write("\n")


if __name__ == "__main__":
    main()
