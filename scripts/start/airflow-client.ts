// The REST API of a running Airflow 3 api-server: a token from POST /auth/token (SimpleAuthManager), then
// /api/v2 calls to unpause a DAG, trigger a run with a conf, and follow the run to its end.
import { waitUntil } from "../stack/wait.ts";

export class AirflowApiError extends Error {
  override name = "AirflowApiError";
}

/** No answer (timeout, refused): worth asking again while polling, unlike an answer that says no. */
export class AirflowUnreachableError extends AirflowApiError {
  override name = "AirflowUnreachableError";
}

/** A poll's answer, or null when Airflow did not answer this time (a busy machine): the poll goes on. */
async function unlessUnreachable<T>(ask: () => Promise<T>): Promise<T | null> {
  try {
    return await ask();
  } catch (err) {
    if (err instanceof AirflowUnreachableError) return null;
    throw err;
  }
}

export interface TaskState {
  task_id: string;
  state: string | null;
  try_number: number;
}

export interface RunState {
  dag_run_id: string;
  state: string;
  tasks: TaskState[];
}

export const FINISHED_RUN_STATES = new Set(["success", "failed"]);

export class AirflowClient {
  #token: string | null = null;

  readonly baseUrl: string;
  readonly #username: string;
  readonly #password: string;

  constructor(baseUrl: string, username: string, password: string) {
    this.baseUrl = baseUrl;
    this.#username = username;
    this.#password = password;
  }

  /** True when every component reports healthy on /api/v2/monitor/health (no login needed). */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/api/v2/monitor/health`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) return false;
      const body = (await res.json()) as Record<string, { status?: string }>;
      const parts = Object.values(body);
      return parts.length > 0 && parts.every((c) => c.status === "healthy");
    } catch {
      return false;
    }
  }

  async login(): Promise<void> {
    const res = await fetch(`${this.baseUrl}/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: this.#username, password: this.#password }),
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status === 401)
      throw new AirflowApiError(
        `Airflow refused the login of "${this.#username}" (AIRFLOW_ADMIN_USER/AIRFLOW_ADMIN_PASSWORD): ` +
          "is another Airflow, started with other credentials, listening there?",
      );
    if (!res.ok) throw new AirflowApiError(`POST /auth/token: HTTP ${res.status}: ${await res.text()}`);
    this.#token = ((await res.json()) as { access_token: string }).access_token;
  }

  async request<T>(method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<T> {
    if (!this.#token) await this.login();
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      }).catch((err: Error) => {
        throw new AirflowUnreachableError(`${method} ${path}: ${err.message}`);
      });
      if (res.status === 401 && attempt === 0) {
        await this.login();
        continue;
      }
      if (!res.ok && !okStatuses.includes(res.status))
        throw new AirflowApiError(`${method} ${path}: HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`);
      const text = await res.text();
      return (text ? JSON.parse(text) : null) as T;
    }
  }

  /** Waits until the dag-processor has parsed the DAG (it is 404 until then). */
  async waitForDag(dagId: string, timeoutMs: number): Promise<void> {
    await waitUntil(
      async () => {
        const dag = await unlessUnreachable(() =>
          this.request<{ dag_id?: string } | null>("GET", `/api/v2/dags/${dagId}`, undefined, [404]),
        );
        return dag?.dag_id === dagId;
      },
      { what: `DAG ${dagId} parsed`, timeoutMs, intervalMs: 1_000, hint: "import error? see the Airflow UI" },
    );
  }

  async unpause(dagId: string): Promise<void> {
    await this.request("PATCH", `/api/v2/dags/${dagId}`, { is_paused: false });
  }

  /** Triggers a run; returns its run id. */
  async trigger(dagId: string, conf: Record<string, unknown>, note?: string): Promise<string> {
    const run = await this.request<{ dag_run_id: string }>("POST", `/api/v2/dags/${dagId}/dagRuns`, {
      logical_date: new Date().toISOString(),
      conf,
      ...(note ? { note } : {}),
    });
    return run.dag_run_id;
  }

  async runState(dagId: string, runId: string): Promise<RunState> {
    const id = encodeURIComponent(runId);
    const run = await this.request<{ dag_run_id: string; state: string }>("GET", `/api/v2/dags/${dagId}/dagRuns/${id}`);
    const tis = await this.request<{ task_instances: TaskState[] }>(
      "GET",
      `/api/v2/dags/${dagId}/dagRuns/${id}/taskInstances`,
    );
    return { dag_run_id: run.dag_run_id, state: run.state, tasks: tis.task_instances };
  }

  /** Polls a run until it succeeds or fails; `onPoll` sees every state (for progress). */
  async waitForRun(
    dagId: string,
    runId: string,
    timeoutMs: number,
    onPoll: (s: RunState) => void = () => {},
    pollMs = 2_000,
  ): Promise<RunState> {
    return waitUntil(
      async () => {
        const s = await unlessUnreachable(() => this.runState(dagId, runId));
        if (s) onPoll(s);
        return s && FINISHED_RUN_STATES.has(s.state) ? s : null;
      },
      { what: `run ${runId} of ${dagId} finished`, timeoutMs, intervalMs: pollMs },
    );
  }
}

/** "3/5 tasks done, running: scrape.crypto" */
export function describeTasks(tasks: readonly TaskState[]): string {
  const done = tasks.filter((t) => t.state === "success" || t.state === "skipped").length;
  const running = tasks.filter((t) => t.state === "running").map((t) => t.task_id);
  const failed = tasks.filter((t) => t.state === "failed" || t.state === "upstream_failed").map((t) => t.task_id);
  return [
    `${done}/${tasks.length} tasks done`,
    running.length > 0 ? `running: ${running.join(", ")}` : "",
    failed.length > 0 ? `failed: ${failed.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join(", ");
}
