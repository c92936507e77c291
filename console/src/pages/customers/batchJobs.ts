// Batch tag jobs (POST /tags/batch): start one, poll it until it ends, cancel it.
import { get, post, type BatchJob } from '../../api'

/** A job a worker may still change: not finished yet. */
export const isActive = (job: BatchJob) => job.status === 'pending' || job.status === 'running' || job.status === 'cancelling'

/** Items settled so far (written, failed, or dropped by a cancel). */
export const settled = (job: BatchJob) => job.done + job.failed + job.cancelled

/** Poll the job every `interval` ms until it ends, `onUpdate` after each read; stops early (with
 * the last read) after `maxPolls` reads or when `stop()` says so (the view went away). */
export async function pollBatch(
  job: BatchJob,
  opts: { interval?: number; maxPolls?: number; onUpdate?: (job: BatchJob) => void; stop?: () => boolean } = {},
): Promise<BatchJob> {
  const interval = opts.interval ?? 400
  for (let i = 0; isActive(job) && (opts.maxPolls === undefined || i < opts.maxPolls); i++) {
    await new Promise((r) => setTimeout(r, interval))
    if (opts.stop?.()) break
    job = await get<BatchJob>(`/tags/batch/${job.id}`)
    if (opts.stop?.()) break
    opts.onUpdate?.(job)
  }
  return job
}

/** Start a job and wait (up to ~24 s) for it: a small change such as one relation's tags. */
export async function runBatch(body: Record<string, unknown>): Promise<BatchJob> {
  const job = await pollBatch(await post<BatchJob>('/tags/batch', body), { maxPolls: 60 })
  if (job.failed) throw new Error(job.errors.join('; ') || 'the tag change failed')
  return job
}

export const cancelBatch = (id: number) => post<BatchJob>(`/tags/batch/${id}/cancel`)
