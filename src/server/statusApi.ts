/**
 * The drift part of the read-only status API (docs/status-api.md): the last evaluation round,
 * as the evaluator returned it. The bodies are the same `ModelEvaluation` objects as replay's
 * JSON report (src/report/types.ts), so a dashboard reads both with one parser.
 */
import type { ModelEvaluation } from '../evaluate/types.js';

/** One evaluation round: when it ran (epoch ms) and the evaluation of every model and source. */
export interface EvaluationRound {
  readonly evaluatedAt: number;
  readonly evaluations: readonly ModelEvaluation[];
}

/** What the HTTP server reads to answer `/api/v1/models` and `/api/v1/models/{model}`. */
export interface EvaluationReader {
  modelsBody(): unknown;
  /** Undefined when the last round has no evaluation of `name`: the server answers 404. */
  modelBody(name: string): unknown;
}

/** `GET /api/v1/models`. */
export interface ModelsBody {
  /** RFC 3339; null before the first round. */
  readonly evaluated_at: string | null;
  readonly models: readonly ModelEvaluation[];
  /** True when any feature of any model drifted in the last round. */
  readonly drift: boolean;
}

/** `GET /api/v1/models/{model}`: the model's evaluations, one per source. */
export interface ModelBody {
  readonly evaluated_at: string;
  readonly model: string;
  readonly evaluations: readonly ModelEvaluation[];
}

/**
 * Holds the last evaluation round for the status API. The evaluation loop calls `update`
 * after each round; the HTTP server reads the bodies on each request. Reads never see a
 * partial round: `update` replaces the whole round at once, and the evaluations, which the
 * evaluator never mutates after returning them, are kept by reference.
 */
export class EvaluationStore implements EvaluationReader {
  private evaluatedAt: string | null = null;
  private evaluations: readonly ModelEvaluation[] = [];
  private byModel = new Map<string, readonly ModelEvaluation[]>();

  /** Replaces the last round. */
  update(round: EvaluationRound): void {
    const byModel = new Map<string, ModelEvaluation[]>();
    for (const evaluation of round.evaluations) {
      const list = byModel.get(evaluation.model);
      if (list === undefined) byModel.set(evaluation.model, [evaluation]);
      else list.push(evaluation);
    }
    this.evaluatedAt = new Date(round.evaluatedAt).toISOString();
    this.evaluations = [...round.evaluations];
    this.byModel = byModel;
  }

  /** The body of `GET /api/v1/models`: every evaluation of the last round, `models: []` before the first. */
  modelsBody(): ModelsBody {
    return {
      evaluated_at: this.evaluatedAt,
      models: this.evaluations,
      drift: this.evaluations.some((e) => e.drift),
    };
  }

  /** The body of `GET /api/v1/models/{model}`; undefined when the last round did not evaluate `name`. */
  modelBody(name: string): ModelBody | undefined {
    const evaluations = this.byModel.get(name);
    if (evaluations === undefined || this.evaluatedAt === null) return undefined;
    return { evaluated_at: this.evaluatedAt, model: name, evaluations };
  }
}
