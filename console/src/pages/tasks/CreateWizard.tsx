// 新建营销任务: content → targets (with an audience preview) → employees and deadline.
import { useEffect, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Steps,
  TreeSelect,
  Typography,
} from 'antd'
import type { Dayjs } from 'dayjs'
import dayjs from 'dayjs'
import { get, post, type Department, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { useDirectory } from '../directory'
import type { Segment } from '../segments/SegmentsPage'
import type { Task } from './shared'

interface ContentItem {
  id: number
  kind: string
  title: string
}

interface Preview {
  employees: number
  targets: number
  by_employee: { userid: string; name: string; targets: number }[]
  missing_userids: string[]
}

interface Values {
  name: string
  kind: Task['kind']
  description?: string
  text?: string
  content_ids?: number[]
  mode: 'filter' | 'segment'
  tags_any?: string[]
  tags_none?: string[]
  added?: [Dayjs, Dayjs] | null
  segment_id?: number
  visible_tag_ids?: string[]
  userids?: string[]
  department_ids?: number[]
  start_at?: Dayjs | null
  deadline?: Dayjs
  remind_before_minutes: number
}

function body(v: Values) {
  const filter =
    v.kind === 'customer' && v.mode === 'filter'
      ? {
          tags_any: v.tags_any ?? [],
          tags_none: v.tags_none ?? [],
          added_from: v.added?.[0]?.startOf('day').toISOString() ?? null,
          added_to: v.added?.[1]?.endOf('day').toISOString() ?? null,
        }
      : {}
  return {
    name: v.name || '未命名',
    kind: v.kind,
    description: v.description ?? '',
    text: v.text ?? '',
    content_ids: v.content_ids ?? [],
    targets: {
      filter,
      segment_id: v.kind === 'customer' && v.mode === 'segment' ? (v.segment_id ?? null) : null,
      visible_tag_ids: v.kind === 'moment' ? (v.visible_tag_ids ?? []) : [],
    },
    userids: v.userids ?? [],
    department_ids: v.department_ids ?? [],
    start_at: v.start_at ? v.start_at.toISOString() : null,
    deadline: (v.deadline ?? dayjs().add(3, 'day')).toISOString(),
    remind_before_minutes: v.remind_before_minutes,
  }
}

function tree(depts: Department[]) {
  const kids = new Map<number | null, Department[]>()
  for (const d of depts) {
    const p = depts.some((x) => x.dept_id === d.parent_id) ? d.parent_id : null
    kids.set(p, [...(kids.get(p) ?? []), d])
  }
  const build = (p: number | null): unknown[] =>
    (kids.get(p) ?? []).map((d) => ({ title: `${d.name} (${d.employees})`, value: d.dept_id, children: build(d.dept_id) }))
  return build(null)
}

const STEP_FIELDS: (keyof Values)[][] = [['name', 'kind', 'text', 'description', 'content_ids'], ['segment_id'], ['userids', 'deadline']]

export default function CreateWizard({ open, onClose }: { open: boolean; onClose: (t?: Task) => void }) {
  const { tr } = useI18n()
  const [form] = Form.useForm<Values>()
  const act = useAction()
  const dir = useDirectory()
  const [step, setStep] = useState(0)
  const [busy, setBusy] = useState(false)
  const values = Form.useWatch([], form) as Values | undefined
  const content = useLoad(() => (open ? get<Page<ContentItem>>('/content', { limit: 200 }) : Promise.resolve(null)), [open])
  const segments = useLoad(() => (open ? get<Segment[]>('/segments') : Promise.resolve([] as Segment[])), [open])
  const depts = useLoad(() => (open ? get<Department[]>('/departments') : Promise.resolve([] as Department[])), [open])
  const key = JSON.stringify(values ? body({ ...form.getFieldsValue(true), ...values }) : null)
  const [preview, setPreview] = useState<{ data: Preview | null; error: string | null }>({ data: null, error: null })
  const hasPeople = !!(values?.userids?.length || values?.department_ids?.length)
  useEffect(() => {
    if (!open || step === 0 || !hasPeople) {
      setPreview({ data: null, error: null })
      return
    }
    let live = true
    const t = setTimeout(() => {
      post<Preview>('/tasks/preview', JSON.parse(key))
        .then((data) => live && setPreview({ data, error: null }))
        .catch((e: Error) => live && setPreview({ data: null, error: e.message }))
    }, 400)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [key, open, step, hasPeople])
  const close = (t?: Task) => {
    form.resetFields()
    setStep(0)
    onClose(t)
  }
  const next = async () => {
    await form.validateFields(STEP_FIELDS[step])
    setStep(step + 1)
  }
  const save = async (start: boolean) => {
    await form.validateFields()
    const all = form.getFieldsValue(true) as Values
    setBusy(true)
    const created = await act(async () => {
      const t = await post<Task>('/tasks', body(all))
      return start ? await post<Task>(`/tasks/${t.id}/start`) : t
    }, start ? tr('任务已开始，已通知员工', 'Task started; employees notified') : tr('草稿已保存', 'Draft saved'))
    setBusy(false)
    if (created) close(created)
  }
  const kind = values?.kind ?? 'customer'
  const p = preview.data
  const unit = kind === 'group' ? tr('个群', 'groups') : kind === 'customer' ? tr('位客户', 'customers') : ''
  return (
    <Modal
      open={open}
      width={860}
      title={tr('新建营销任务', 'New task')}
      onCancel={() => close()}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={() => close()}>{tr('取消', 'Cancel')}</Button>
          {step > 0 && <Button onClick={() => setStep(step - 1)}>{tr('上一步', 'Back')}</Button>}
          {step < 2 && (
            <Button type="primary" onClick={() => void next()} data-testid="wizard-next">
              {tr('下一步', 'Next')}
            </Button>
          )}
          {step === 2 && (
            <>
              <Button loading={busy} onClick={() => void save(false)} data-testid="wizard-draft">
                {tr('保存草稿', 'Save draft')}
              </Button>
              <Button type="primary" loading={busy} onClick={() => void save(true)} data-testid="wizard-start">
                {tr('创建并开始', 'Create and start')}
              </Button>
            </>
          )}
        </Space>
      }
    >
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 16 }}
        items={[{ title: tr('内容', 'Content') }, { title: tr('目标', 'Targets') }, { title: tr('员工与截止', 'Employees & deadline') }]}
      />
      <Form
        form={form}
        name="task_wizard"
        layout="vertical"
        preserve
        initialValues={{ kind: 'customer', mode: 'filter', remind_before_minutes: 120, deadline: dayjs().add(3, 'day').hour(18).minute(0) }}
      >
        <Row gutter={16}>
          <Col xs={24} md={step === 0 ? 24 : 14}>
            <div style={{ display: step === 0 ? 'block' : 'none' }}>
              <Form.Item name="name" label={tr('任务名称', 'Name')} rules={[{ required: true, message: tr('请输入名称', 'Enter a name') }]}>
                <Input maxLength={100} data-testid="task-name-input" />
              </Form.Item>
              <Form.Item name="kind" label={tr('任务类型', 'Kind')}>
                <Radio.Group
                  optionType="button"
                  options={[
                    { label: tr('客户群发', 'Customer message'), value: 'customer' },
                    { label: tr('客户群群发', 'Group message'), value: 'group' },
                    { label: tr('朋友圈', 'Moments'), value: 'moment' },
                    { label: tr('待办', 'To-do'), value: 'todo' },
                  ]}
                />
              </Form.Item>
              <Form.Item name="description" label={tr('任务说明（发给员工）', 'Description (for employees)')}>
                <Input.TextArea rows={2} maxLength={2000} />
              </Form.Item>
              <Form.Item
                name="text"
                label={kind === 'todo' ? tr('待办内容', 'What to do') : tr('消息内容', 'Message')}
                rules={[
                  {
                    validator: async (_, v) => {
                      const all = form.getFieldsValue(true) as Values
                      if (kind === 'todo' ? !(v || all.description) : !(v || all.content_ids?.length)) {
                        throw new Error(tr('请填写内容或选择素材', 'Write a message or pick content'))
                      }
                    },
                  },
                ]}
              >
                <Input.TextArea rows={4} maxLength={kind === 'moment' ? 2000 : 1300} showCount data-testid="task-text" />
              </Form.Item>
              <Form.Item
                name="content_ids"
                label={tr('素材（内容库）', 'Content items')}
                extra={tr('链接和文章会作为每位员工专属的雷达链接发出，客户打开时计入效果。', 'Links and articles go out as each employee’s own radar link; opens count as effect.')}
              >
                <Select
                  mode="multiple"
                  allowClear
                  showSearch={{ optionFilterProp: 'label' }}
                  data-testid="task-content"
                  notFoundContent={tr('内容库为空：先在「内容库」添加链接或文章。', 'The library is empty: add links or articles first.')}
                  options={(content.data?.items ?? []).map((c) => ({ label: `${c.title}（${c.kind}）`, value: c.id }))}
                />
              </Form.Item>
            </div>
            <div style={{ display: step === 1 ? 'block' : 'none' }}>
              {kind === 'customer' && (
                <>
                  <Form.Item name="mode" label={tr('目标客户', 'Target customers')}>
                    <Radio.Group
                      options={[
                        { label: tr('按条件筛选', 'By filter'), value: 'filter' },
                        { label: tr('已保存的分群', 'Saved segment'), value: 'segment' },
                      ]}
                    />
                  </Form.Item>
                  {values?.mode === 'segment' ? (
                    <Form.Item name="segment_id" label={tr('客户分群', 'Segment')} rules={[{ required: step === 1 && values?.mode === 'segment' }]}>
                      <Select options={(segments.data ?? []).map((s) => ({ label: s.name, value: s.id }))} />
                    </Form.Item>
                  ) : (
                    <>
                      <Form.Item name="tags_any" label={tr('含任一标签', 'Has any of the tags')}>
                        <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.tagOptions} />
                      </Form.Item>
                      <Form.Item name="tags_none" label={tr('排除标签', 'Has none of the tags')}>
                        <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.tagOptions} />
                      </Form.Item>
                      <Form.Item name="added" label={tr('添加时间', 'Added between')}>
                        <DatePicker.RangePicker />
                      </Form.Item>
                    </>
                  )}
                  <Typography.Text type="secondary">
                    {tr('每位客户只收到一次，由其归属员工（或最早添加的员工）发送。', 'Each customer gets it once, sent by their owner (or the employee who added them first).')}
                  </Typography.Text>
                </>
              )}
              {kind === 'group' && <Alert type="info" showIcon title={tr('发送到所选员工作为群主的全部客户群。', 'Sent to every group chat the chosen employees own.')} />}
              {kind === 'moment' && (
                <Form.Item name="visible_tag_ids" label={tr('可见客户标签（为空：全部客户可见）', 'Visible to customers with tags (empty: all)')}>
                  <Select mode="multiple" allowClear options={dir.tagOptions} />
                </Form.Item>
              )}
              {kind === 'todo' && <Alert type="info" showIcon title={tr('待办没有发送对象：员工完成后在任务页标记完成。', 'A to-do sends nothing: employees mark it done on the task page.')} />}
            </div>
            <div style={{ display: step === 2 ? 'block' : 'none' }}>
              <Form.Item name="userids" label={tr('执行员工', 'Employees')}>
                <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.employeeOptions} data-testid="task-employees-select" />
              </Form.Item>
              <Form.Item name="department_ids" label={tr('或按部门（含下级部门）', 'Or by department (with sub-departments)')}>
                <TreeSelect multiple allowClear treeDefaultExpandAll treeData={tree(depts.data ?? []) as never} />
              </Form.Item>
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item name="start_at" label={tr('开始时间（留空：立即）', 'Start (empty: now)')}>
                    <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="deadline" label={tr('截止时间', 'Deadline')} rules={[{ required: true }]}>
                    <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid="task-deadline" />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="remind_before_minutes" label={tr('自动提醒未完成员工', 'Automatic reminder')}>
                <Select
                  options={[
                    { label: tr('不提醒', 'None'), value: 0 },
                    { label: tr('截止前 30 分钟', '30 minutes before'), value: 30 },
                    { label: tr('截止前 2 小时', '2 hours before'), value: 120 },
                    { label: tr('截止前 1 天', '1 day before'), value: 1440 },
                  ]}
                />
              </Form.Item>
            </div>
          </Col>
          {step > 0 && (
            <Col xs={24} md={10}>
              <Card size="small" title={tr('覆盖预估', 'Audience preview')} data-testid="task-preview">
                {preview.error && <Alert type="error" showIcon title={preview.error} />}
                {p ? (
                  <Space orientation="vertical" style={{ width: '100%' }}>
                    <Row>
                      <Col span={12}>
                        <Statistic title={tr('员工', 'Employees')} value={p.employees} />
                      </Col>
                      {unit && (
                        <Col span={12}>
                          <Statistic title={kind === 'group' ? tr('客户群', 'Groups') : tr('客户', 'Customers')} value={p.targets} data-testid="preview-targets" />
                        </Col>
                      )}
                    </Row>
                    {p.missing_userids.length > 0 && unit && (
                      <Alert
                        type="warning"
                        showIcon
                        title={tr(
                          `${p.missing_userids.length} 位员工没有符合条件的${unit.replace('位', '').replace('个', '')}，开始时不参与`,
                          `${p.missing_userids.length} employees have no matching ${unit} and will be left out`,
                        )}
                      />
                    )}
                  </Space>
                ) : (
                  !preview.error && <Typography.Text type="secondary">{tr('选择员工后显示覆盖人数。', 'Pick employees to see the reach.')}</Typography.Text>
                )}
              </Card>
            </Col>
          )}
        </Row>
      </Form>
    </Modal>
  )
}
