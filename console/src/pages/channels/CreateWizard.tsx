// 渠道活码: the create / edit wizard.
import { useEffect, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Steps,
  TimePicker,
  Typography,
} from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { patch, post } from '../../api'
import { useAuth } from '../../auth'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { type Dir } from '../directory'
import { atTime, fromRules, hhmm, toRules, weekdays, type ChannelCode, type Draft } from './channelTypes'
import WelcomeAttachments, { describe } from './WelcomeAttachments'

function fillPlaceholders(text: string, name: string, employee: string): string {
  return text.replaceAll('{nickname}', '小王').replaceAll('{employee}', employee).replaceAll('{channel}', name)
}

export default function CreateWizard({
  open,
  editing,
  dir,
  onClose,
}: {
  open: boolean
  editing: ChannelCode | null
  dir: Dir
  onClose: (c?: ChannelCode) => void
}) {
  const { tr } = useI18n()
  const [form] = Form.useForm<Draft>()
  const [step, setStep] = useState(0)
  const [busy, setBusy] = useState(false)
  const act = useAction()
  const values = Form.useWatch([], form) as Partial<Draft> | undefined
  // managers and staff put only employees of their scope on a code (staff: themselves)
  const scope = useAuth().me?.visible_userids ?? null
  const employeeOptions = scope ? dir.employeeOptions.filter((o) => scope.includes(o.value)) : dir.employeeOptions
  useEffect(() => {
    if (open && !editing && scope?.length === 1) form.setFieldsValue({ userids: scope })
  }, [open, editing, scope, form])
  useEffect(() => {
    if (open && editing)
      form.setFieldsValue({
        name: editing.name,
        group_name: editing.group_name,
        userids: editing.userids,
        skip_verify: editing.skip_verify,
        tag_ids: editing.tag_ids,
        remark_template: editing.remark_template,
        welcome_text: editing.welcome?.text ?? '',
        welcome_attachments: editing.welcome?.attachments ?? [],
        variants: editing.welcome_variants.map((v) => ({
          time: [atTime(v.start), atTime(v.end)],
          text: v.text,
          attachments: v.attachments ?? [],
        })),
        accept_mode: editing.accept_window ? 'window' : editing.skip_verify ? 'always' : 'never',
        accept_time: editing.accept_window ? [atTime(editing.accept_window.start), atTime(editing.accept_window.end)] : null,
        staff: fromRules(editing.staff),
        backups: editing.backups,
      })
  }, [open, editing, form])
  const steps = [
    { title: tr('基本信息', 'Basics'), fields: ['name', 'group_name', 'userids', 'accept_mode', 'accept_time'] },
    { title: tr('接待规则', 'Rotation'), fields: ['staff', 'backups'] },
    { title: tr('标签与备注', 'Tags & remark'), fields: ['tag_ids', 'remark_template'] },
    { title: tr('欢迎语', 'Welcome'), fields: ['welcome_text', 'welcome_attachments', 'variants'] },
  ]
  const close = (c?: ChannelCode) => {
    form.resetFields()
    setStep(0)
    onClose(c)
  }
  const submit = async () => {
    const v = await form.validateFields()
    setBusy(true)
    const all = { ...form.getFieldsValue(true), ...v } as Draft
    const mode = all.accept_mode ?? 'always'
    const attachments = (all.welcome_attachments ?? []).filter((a) => a?.type)
    const body = {
      name: all.name,
      group_name: all.group_name ?? '',
      userids: all.userids,
      // within the window requests are accepted automatically, outside they wait for the employee
      skip_verify: mode !== 'never',
      accept_window:
        mode === 'window' && all.accept_time
          ? { start: hhmm(all.accept_time[0]), end: hhmm(all.accept_time[1], true) }
          : null,
      tag_ids: all.tag_ids ?? [],
      remark_template: all.remark_template ?? '',
      staff: toRules(all.staff),
      backups: all.backups ?? [],
      welcome: all.welcome_text || attachments.length ? { text: all.welcome_text ?? '', attachments } : null,
      welcome_variants: (all.variants ?? [])
        .filter((x) => x?.time && (x.text || x.attachments?.length))
        .map((x) => ({
          start: hhmm(x.time?.[0]),
          end: hhmm(x.time?.[1], true),
          text: x.text ?? '',
          attachments: (x.attachments ?? []).filter((a) => a?.type),
        })),
    }
    const created = await act(
      () =>
        editing
          ? patch<ChannelCode>(`/acquisition/channels/${editing.id}`, body)
          : post<ChannelCode>('/acquisition/channels', body),
      editing ? tr('活码已更新', 'Channel code updated') : tr('活码已创建', 'Channel code created'),
    )
    setBusy(false)
    if (created) close(created)
  }
  const firstEmp = values?.userids?.[0] ? dir.empName(values.userids[0]) : tr('员工', 'Employee')
  return (
    <Modal
      open={open}
      title={editing ? tr(`编辑活码：${editing.name}`, `Edit: ${editing.name}`) : tr('新建渠道活码', 'New channel code')}
      width={720}
      onCancel={() => close()}
      destroyOnHidden
      footer={
        <Space>
          {step > 0 && <Button onClick={() => setStep(step - 1)}>{tr('上一步', 'Back')}</Button>}
          {step < steps.length - 1 ? (
            <Button
              type="primary"
              onClick={async () => {
                await form.validateFields(steps[step].fields)
                setStep(step + 1)
              }}
            >
              {tr('下一步', 'Next')}
            </Button>
          ) : (
            <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="wizard-submit">
              {editing ? tr('保存', 'Save') : tr('创建', 'Create')}
            </Button>
          )}
        </Space>
      }
    >
      <Steps current={step} items={steps.map((s) => ({ title: s.title }))} style={{ marginBottom: 24 }} />
      <Form form={form} name="channel_wizard" layout="vertical" preserve initialValues={{ skip_verify: true, accept_mode: 'always', userids: [] }}>
        <div style={{ display: step === 0 ? 'block' : 'none' }}>
          <Form.Item
            name="name"
            label={tr('活码名称', 'Name')}
            rules={[{ required: true, message: tr('请输入名称', 'Enter a name') }]}
          >
            <Input maxLength={100} placeholder={tr('如：门店海报-徐汇店', 'e.g. Store poster')} />
          </Form.Item>
          <Form.Item name="group_name" label={tr('分组', 'Group')}>
            <Input maxLength={100} placeholder={tr('如：线下门店', 'e.g. Offline')} />
          </Form.Item>
          <Form.Item
            name="userids"
            label={tr('接待员工', 'Employees')}
            rules={[{ required: true, message: tr('至少选择一位员工', 'Pick at least one employee') }]}
            extra={tr('多位员工时轮流接待。', 'Several employees take turns.')}
          >
            <Select
              mode="multiple"
              data-testid="wizard-employees"
              showSearch={{ optionFilterProp: 'label' }}
              options={employeeOptions}
              placeholder={tr('选择员工', 'Pick employees')}
            />
          </Form.Item>
          <Form.Item
            name="accept_mode"
            label={tr('自动通过好友申请', 'Accept friend requests automatically')}
            extra={tr(
              '时段按企业时区；时段外客户的申请等待员工手动通过（例如夜间不自动通过）。',
              "Times are the corp's; outside the window requests wait for the employee (e.g. not at night).",
            )}
          >
            <Radio.Group
              data-testid="wizard-accept"
              options={[
                { value: 'always', label: tr('始终自动通过', 'Always') },
                { value: 'window', label: tr('仅在时段内', 'Within hours') },
                { value: 'never', label: tr('需员工验证', 'Never (employee verifies)') },
              ]}
            />
          </Form.Item>
          {values?.accept_mode === 'window' && (
            <Form.Item
              name="accept_time"
              label={tr('自动通过时段', 'Accept between')}
              rules={[{ required: true, message: tr('请选择时段', 'Pick the hours') }]}
            >
              <TimePicker.RangePicker format="HH:mm" className="wizard-accept-time" placeholder={[tr('开始', 'From'), tr('结束', 'To')]} />
            </Form.Item>
          )}
        </div>
        <div style={{ display: step === 1 ? 'block' : 'none' }}>
          <Typography.Paragraph type="secondary">
            {tr(
              '为员工设置接待日、时段和每日上限；不设置的员工全天接待。无人接待时由备用员工接待。',
              'Set days, hours and a daily cap per employee; employees without a rule are always on duty. When nobody is on duty the backups take over.',
            )}
          </Typography.Paragraph>
          <Form.List name="staff">
            {(fields, { add, remove }) => (
              <Space orientation="vertical" style={{ width: '100%' }}>
                {fields.map((f) => (
                  <Space key={f.key} wrap align="start" data-testid="staff-rule">
                    <Form.Item name={[f.name, 'userid']} rules={[{ required: true, message: tr('选择员工', 'Pick') }]}>
                      <Select
                        style={{ width: 130 }}
                        placeholder={tr('员工', 'Employee')}
                        options={employeeOptions.filter((o) => (values?.userids ?? []).includes(o.value))}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'days']} rules={[{ required: true, message: tr('选择日期', 'Pick days') }]}>
                      <Select mode="multiple" style={{ minWidth: 180 }} placeholder={tr('接待日', 'Days')} options={weekdays(tr)} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'time']}>
                      <TimePicker.RangePicker format="HH:mm" placeholder={[tr('开始', 'From'), tr('结束', 'To')]} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'daily_cap']}>
                      <InputNumber min={1} placeholder={tr('每日上限', 'Daily cap')} style={{ width: 110 }} />
                    </Form.Item>
                    <Button type="text" icon={<DeleteOutlined />} aria-label="remove rule" onClick={() => remove(f.name)} />
                  </Space>
                ))}
                <Button
                  icon={<PlusOutlined />}
                  size="small"
                  onClick={() => add({ days: [1, 2, 3, 4, 5, 6, 7] })}
                  disabled={!(values?.userids ?? []).length}
                >
                  {tr('添加接待规则', 'Add a rule')}
                </Button>
              </Space>
            )}
          </Form.List>
          <Form.Item name="backups" label={tr('备用员工', 'Backups')} style={{ marginTop: 16 }}>
            <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={employeeOptions} />
          </Form.Item>
        </div>
        <div style={{ display: step === 2 ? 'block' : 'none' }}>
          <Form.Item name="tag_ids" label={tr('自动打标签', 'Auto tags')}>
            <Select
              mode="multiple"
              data-testid="wizard-tags"
              showSearch={{ optionFilterProp: 'label' }}
              options={dir.tagOptions}
              placeholder={tr('扫码添加的客户自动打上这些标签', 'Customers who add through this code get these tags')}
            />
          </Form.Item>
          <Form.Item
            name="remark_template"
            label={tr('自动备注', 'Auto remark')}
            extra={tr('可用 {nickname} {channel}，最多 20 字。', 'Use {nickname} {channel}; at most 20 characters.')}
          >
            <Input maxLength={100} placeholder="{nickname}-{channel}" />
          </Form.Item>
        </div>
        <div style={{ display: step === 3 ? 'block' : 'none' }}>
          <Row gutter={16}>
            <Col xs={24} md={14}>
              <Form.Item
                name="welcome_text"
                label={tr('欢迎语', 'Welcome message')}
                extra={tr(
                  '可用 {nickname}（客户昵称）、{employee}（员工）、{channel}（活码名称）。',
                  'Placeholders: {nickname}, {employee}, {channel}.',
                )}
              >
                <Input.TextArea rows={6} maxLength={1300} showCount data-testid="wizard-welcome" />
              </Form.Item>
              <Form.Item label={tr('附件', 'Attachments')}>
                <WelcomeAttachments form={form} name={['welcome_attachments']} testId="welcome-att" />
              </Form.Item>
            </Col>
            <Col xs={24} md={10}>
              <Typography.Text type="secondary">{tr('预览', 'Preview')}</Typography.Text>
              <div
                data-testid="welcome-preview"
                style={{ background: '#ededed', borderRadius: 8, padding: 12, minHeight: 160, marginTop: 8 }}
              >
                {values?.welcome_text || (values?.welcome_attachments ?? []).some((a) => a?.type) ? (
                  <Space orientation="vertical" style={{ width: '100%' }}>
                  <div style={{ display: 'flex', gap: 8 }}>
                    <div
                      style={{
                        width: 32,
                        height: 32,
                        borderRadius: 4,
                        background: '#07c160',
                        color: '#fff',
                        textAlign: 'center',
                        lineHeight: '32px',
                        flex: 'none',
                      }}
                    >
                      {firstEmp.slice(0, 1)}
                    </div>
                    <div
                      style={{ background: '#fff', borderRadius: 6, padding: '8px 10px', whiteSpace: 'pre-wrap', maxWidth: 220 }}
                    >
                      {fillPlaceholders(values?.welcome_text ?? '', values?.name ?? '', firstEmp)}
                    </div>
                  </div>
                  {(values?.welcome_attachments ?? [])
                    .filter((a) => a?.type)
                    .map((a, i) => (
                      <div
                        key={i}
                        data-testid="welcome-preview-attachment"
                        style={{ background: '#fff', borderRadius: 6, padding: '6px 10px', marginLeft: 40, maxWidth: 220 }}
                      >
                        {describe(a, tr)}
                      </div>
                    ))}
                  </Space>
                ) : (
                  <Typography.Text type="secondary">
                    {tr('未设置欢迎语：客户添加后不会自动发送消息。', 'No welcome message: nothing is sent on add.')}
                  </Typography.Text>
                )}
              </div>
            </Col>
          </Row>
          <Typography.Title level={5} style={{ marginTop: 8 }}>
            {tr('分时段欢迎语', 'Time-of-day welcomes')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">
            {tr(
              '按企业时区的时段发送不同欢迎语（可跨午夜，如 22:00–08:00）；第一个覆盖当前时间的时段生效，否则发送上面的默认欢迎语。',
              "Different welcomes by the corp's time of day (may wrap midnight, e.g. 22:00–08:00); the first window covering now wins, else the default above.",
            )}
          </Typography.Paragraph>
          <Form.List name="variants">
            {(fields, { add, remove }) => (
              <Space orientation="vertical" style={{ width: '100%' }} data-testid="welcome-variants">
                {fields.map((f, i) => (
                  <Card
                    key={f.key}
                    size="small"
                    data-testid="welcome-variant"
                    title={tr(`时段 ${i + 1}`, `Window ${i + 1}`)}
                    extra={<Button type="text" size="small" icon={<DeleteOutlined />} aria-label="remove variant" onClick={() => remove(f.name)} />}
                  >
                    <Form.Item
                      name={[f.name, 'time']}
                      label={tr('时段', 'Between')}
                      rules={[{ required: true, message: tr('请选择时段', 'Pick the hours') }]}
                    >
                      <TimePicker.RangePicker
                        format="HH:mm"
                        order={false}
                        className="variant-time"
                        placeholder={[tr('开始', 'From'), tr('结束', 'To')]}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'text']}
                      label={tr('欢迎语', 'Welcome message')}
                      rules={[
                        ({ getFieldValue }) => ({
                          validator: async (_, value) => {
                            const atts = (getFieldValue(['variants', f.name, 'attachments']) ?? []) as unknown[]
                            if (!value && !atts.length) throw new Error(tr('请输入欢迎语或添加附件', 'Enter a text or add an attachment'))
                          },
                        }),
                      ]}
                    >
                      <Input.TextArea rows={3} maxLength={1300} showCount data-testid="variant-text" />
                    </Form.Item>
                    <WelcomeAttachments form={form} name={['variants', f.name, 'attachments']} testId={`variant-${i}-att`} />
                  </Card>
                ))}
                <Button size="small" icon={<PlusOutlined />} onClick={() => add({ text: '', attachments: [] })} data-testid="add-variant">
                  {tr('添加时段欢迎语', 'Add a time-of-day welcome')}
                </Button>
                {fields.length > 0 && !values?.welcome_text && !(values?.welcome_attachments ?? []).length && (
                  <Alert
                    type="info"
                    showIcon
                    title={tr('时段外没有默认欢迎语：不在任何时段添加的客户不会收到欢迎语。', 'No default welcome: customers who add outside every window get none.')}
                  />
                )}
              </Space>
            )}
          </Form.List>
        </div>
      </Form>
    </Modal>
  )
}
