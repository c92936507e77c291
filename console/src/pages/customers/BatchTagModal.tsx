// 批量打标签: tags to add / remove on the selected customers (or every customer matching the
// list's filter), then the job's progress, polled until it ends, with a cancel button.
import { useEffect, useRef, useState } from 'react'
import { Alert, Button, Form, Modal, Progress, Select, Space, Tag, Typography } from 'antd'
import { post, type BatchJob, type TagGroup } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { localText } from '../../errorText'
import { cancelBatch, isActive, pollBatch, settled } from './batchJobs'

/** Whom the job tags: customers by id, or every customer the list's filter matches. */
export type BatchTarget = { kind: 'ids'; ids: number[] } | { kind: 'filter'; filter: Record<string, unknown>; count: number }

const POLL_MS = 1000
const SHOWN_ERRORS = 5

export default function BatchTagModal(props: {
  target: BatchTarget
  groups: TagGroup[]
  /** only this employee's follow relations (the list is filtered by employee) */
  userid?: string
  employeeName?: string
  onClose: () => void
  /** the job ended (done, failed or cancelled): refresh what shows tags */
  onFinished: () => void
}) {
  const { tr } = useI18n()
  const act = useAction()
  const [add, setAdd] = useState<string[]>([])
  const [remove, setRemove] = useState<string[]>([])
  const [submitting, setSubmitting] = useState(false)
  const [job, setJob] = useState<BatchJob | null>(null)
  const [cancelAsked, setCancelAsked] = useState(false)
  const [cancelling, setCancelling] = useState(false)
  const finished = useRef(false)
  const count = props.target.kind === 'ids' ? props.target.ids.length : props.target.count
  const jobId = job?.id

  // poll the job until it ends (or the modal closes: the job goes on in the background)
  useEffect(() => {
    if (jobId === undefined) return
    let gone = false
    const first = { id: jobId, status: 'pending' } as BatchJob
    void pollBatch(first, { interval: POLL_MS, stop: () => gone, onUpdate: (j) => setJob((prev) => (prev && !isActive(prev) ? prev : j)) }).catch(() => {
      // a failed read (network, restart): the next open of the list shows the result
    })
    return () => {
      gone = true
    }
  }, [jobId])

  const ended = job !== null && !isActive(job)
  useEffect(() => {
    if (ended && !finished.current) {
      finished.current = true
      props.onFinished()
    }
  }, [ended, props])

  const submit = async () => {
    setSubmitting(true)
    const body: Record<string, unknown> = { add, remove }
    if (props.target.kind === 'ids') body.customer_ids = props.target.ids
    else body.filter = props.target.filter
    if (props.userid) body.userid = props.userid
    const started = await act(() => post<BatchJob>('/tags/batch', body))
    setSubmitting(false)
    if (started) setJob(started)
  }

  const cancel = async () => {
    if (!job) return
    // shown as 取消中 at once, until the job settles the chunk in flight
    setCancelAsked(true)
    setCancelling(true)
    const answer = await act(() => cancelBatch(job.id))
    setCancelling(false)
    if (answer) setJob((prev) => (prev && !isActive(prev) ? prev : answer))
    else setCancelAsked(false)
  }

  const options = (exclude: string[]) =>
    props.groups.map((g) => ({
      label: g.name,
      options: g.tags.filter((t) => !exclude.includes(t.tag_id)).map((t) => ({ label: t.name, value: t.tag_id })),
    }))
  const who =
    props.target.kind === 'ids'
      ? tr(`已选的 ${count} 位客户`, `the ${count} selected customers`)
      : tr(`符合当前筛选条件的全部 ${count} 位客户`, `all ${count} customers matching the current filter`)
  const relations = props.userid
    ? tr(`（仅员工 ${props.employeeName ?? props.userid} 的跟进关系）`, ` (only ${props.employeeName ?? props.userid}'s relations)`)
    : tr('（每位客户的全部跟进关系）', ' (every employee relation of each customer)')

  if (job === null) {
    return (
      <Modal
        open
        title={tr('批量打标签', 'Batch tag')}
        onCancel={props.onClose}
        footer={
          <Space>
            <Button onClick={props.onClose}>{tr('取消', 'Cancel')}</Button>
            <Button
              type="primary"
              data-testid="batch-submit"
              loading={submitting}
              disabled={count === 0 || (add.length === 0 && remove.length === 0)}
              onClick={() => void submit()}
            >
              {tr(`确定修改 ${count} 位客户`, `Apply to ${count} customers`)}
            </Button>
          </Space>
        }
        data-testid="batch-tag-modal"
      >
        <Form layout="vertical">
          <TagChoice
            label={tr('添加标签', 'Tags to add')}
            placeholder={tr('选择要添加的标签', 'Choose tags to add')}
            testId="batch-add-tags"
            value={add}
            onChange={setAdd}
            options={options(remove)}
          />
          <TagChoice
            label={tr('移除标签', 'Tags to remove')}
            placeholder={tr('选择要移除的标签', 'Choose tags to remove')}
            testId="batch-remove-tags"
            value={remove}
            onChange={setRemove}
            options={options(add)}
          />
        </Form>
        <Alert
          type="info"
          showIcon
          data-testid="batch-summary"
          title={tr(
            `将为${who}${relations}添加 ${add.length} 个、移除 ${remove.length} 个标签，并同步写入企业微信。`,
            `Adds ${add.length} and removes ${remove.length} tags on ${who}${relations}, written to WeCom.`,
          )}
        />
      </Modal>
    )
  }

  // after a cancel request, a read that started before it may still say running
  const status = cancelAsked && (job.status === 'pending' || job.status === 'running') ? 'cancelling' : job.status
  const labels: Record<string, [string, string]> = {
    pending: [tr('排队中', 'Queued'), 'default'],
    running: [tr('执行中', 'Running'), 'processing'],
    cancelling: [tr('取消中', 'Cancelling'), 'warning'],
    cancelled: [tr('已取消', 'Cancelled'), 'default'],
    done: [tr('已完成', 'Done'), 'success'],
    failed: [tr('失败', 'Failed'), 'error'],
  }
  const [label, color] = labels[status] ?? [status, 'default']
  const total = job.total ?? 0
  const pct = total ? Math.floor((100 * settled(job)) / total) : ended ? 100 : 0
  const active = !ended
  return (
    <Modal
      open
      title={tr('批量打标签', 'Batch tag')}
      onCancel={props.onClose}
      data-testid="batch-tag-modal"
      footer={
        <Space>
          {active && (
            <Button
              danger
              data-testid="batch-cancel"
              loading={cancelling}
              disabled={status === 'cancelling'}
              onClick={() => void cancel()}
            >
              {status === 'cancelling' ? tr('取消中', 'Cancelling') : tr('取消任务', 'Cancel job')}
            </Button>
          )}
          <Button type={active ? 'default' : 'primary'} data-testid="batch-close" onClick={props.onClose}>
            {active ? tr('后台运行', 'Run in background') : tr('关闭', 'Close')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }} data-testid="batch-job" data-job-id={job.id}>
        <Space>
          <Tag color={color} data-testid="batch-status" data-status={status}>
            {label}
          </Tag>
          <Typography.Text type="secondary">{who}</Typography.Text>
        </Space>
        <Progress
          data-testid="batch-progress"
          percent={pct}
          status={!ended ? 'active' : job.status === 'done' && !job.failed ? 'success' : job.status === 'cancelled' ? 'normal' : 'exception'}
        />
        <Space wrap data-testid="batch-counts">
          <Tag>
            {tr('跟进关系', 'Relations')} <span data-testid="batch-total">{total}</span>
          </Tag>
          <Tag color="green">
            {tr('成功', 'Done')} <span data-testid="batch-done">{job.done ?? 0}</span>
          </Tag>
          <Tag color={job.failed ? 'red' : undefined}>
            {tr('失败', 'Failed')} <span data-testid="batch-failed">{job.failed ?? 0}</span>
          </Tag>
          {(job.cancelled > 0 || status === 'cancelled' || status === 'cancelling') && (
            <Tag color="orange">
              {tr('已取消', 'Cancelled')} <span data-testid="batch-cancelled">{job.cancelled ?? 0}</span>
            </Tag>
          )}
        </Space>
        {job.resumed > 0 && (
          <Typography.Text type="secondary" data-testid="batch-resumed">
            {tr(
              `任务中断后已自动恢复 ${job.resumed} 次（企业微信限流或服务重启），已写入的不会重复。`,
              `Resumed ${job.resumed} times (WeCom rate limiting or a restart); nothing is written twice.`,
            )}
          </Typography.Text>
        )}
        {job.failed > 0 && (job.errors ?? []).length > 0 && (
          <Alert
            type="error"
            showIcon
            data-testid="batch-errors"
            title={tr(`${job.failed} 个跟进关系修改失败`, `${job.failed} relations failed`)}
            description={
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {job.errors.slice(0, SHOWN_ERRORS).map((e, i) => (
                  <li key={i}>{localText(e, tr('修改失败', 'Failed'))}</li>
                ))}
              </ul>
            }
          />
        )}
        {status === 'cancelling' && (
          <Typography.Text type="secondary">
            {tr('正在等待进行中的写入完成，剩余的客户不会再修改。', 'Settling the writes in flight; the remaining customers are left unchanged.')}
          </Typography.Text>
        )}
        {status === 'cancelled' && (
          <Typography.Text type="secondary">
            {tr(
              `已取消：${job.done} 个跟进关系已修改，${job.cancelled} 个未修改。`,
              `Cancelled: ${job.done} relations changed, ${job.cancelled} left unchanged.`,
            )}
          </Typography.Text>
        )}
        {ended && total === 0 && (
          <Typography.Text type="secondary">
            {tr('这些客户没有可修改的跟进关系（可能已流失）。', 'These customers have no live relations to change (they may have left).')}
          </Typography.Text>
        )}
        {active && (
          <Typography.Text type="secondary">
            {tr('关闭窗口后任务在后台继续。', 'Closing this window leaves the job running in the background.')}
          </Typography.Text>
        )}
      </Space>
    </Modal>
  )
}

type TagOptions = { label: string; options: { label: string; value: string }[] }[]

/** One multiple-choice tag picker (grouped by tag group, searchable by name). */
function TagChoice(props: {
  label: string
  placeholder: string
  testId: string
  value: string[]
  onChange: (v: string[]) => void
  options: TagOptions
}) {
  return (
    <Form.Item label={props.label}>
      <Select
        mode="multiple"
        allowClear
        data-testid={props.testId}
        placeholder={props.placeholder}
        value={props.value}
        onChange={props.onChange}
        showSearch={{ optionFilterProp: 'label' }}
        options={props.options}
      />
    </Form.Item>
  )
}
