// The SOP editor: trigger picker, steps (offset or time of day + content bundle), stop conditions.
import { useEffect, useState } from 'react'
import { Alert, Button, Card, Drawer, Input, InputNumber, Radio, Select, Space, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { get, post, put, type GroupChat, type Page } from '../../api'
import { useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import type { ChannelCode } from '../channels/channelTypes'
import { useDirectory } from '../directory'
import { KIND_NAMES, TRIGGERS, type ContentItem, type SopStep, type SopTemplate, type TriggerKind } from './types'
import { useStages } from '../customers/stages'

const blankStep = (): SopStep => ({ day: 0, minutes: 0, at_time: '', text: '', item_ids: [] })

export default function SopEditor({
  open,
  editing,
  onClose,
  onSaved,
}: {
  open: boolean
  editing: SopTemplate | null
  onClose: () => void
  onSaved: () => void
}) {
  const { tr } = useI18n()
  const dir = useDirectory()
  const [name, setName] = useState('')
  const [target, setTarget] = useState<'customer' | 'group'>('customer')
  const [kind, setKind] = useState<TriggerKind>('channel')
  const [channelIds, setChannelIds] = useState<number[]>([])
  const [tagIds, setTagIds] = useState<string[]>([])
  const [chatIds, setChatIds] = useState<string[]>([])
  const [steps, setSteps] = useState<SopStep[]>([blankStep()])
  const [tagsRemoved, setTagsRemoved] = useState<string[]>([])
  const [converted, setConverted] = useState<string[]>([])
  const [stageIds, setStageIds] = useState<number[]>([])
  const [stopStages, setStopStages] = useState<number[]>([])
  const stages = useStages()
  const stageOptions = (stages.data ?? []).map((s) => ({ label: s.name, value: s.id }))
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const channels = useLoad(() => get<Page<ChannelCode>>('/acquisition/channels', { limit: 200 }), [])
  const chats = useLoad(() => get<Page<GroupChat>>('/groups', { limit: 500 }), [])
  const items = useLoad(() => get<Page<ContentItem>>('/content', { limit: 200 }), [])

  useEffect(() => {
    if (!open) return
    const e = editing
    setName(e?.name ?? '')
    setTarget(e?.target ?? 'customer')
    setKind(e?.trigger.kind ?? 'channel')
    setChannelIds(e?.trigger.channel_ids ?? [])
    setTagIds(e?.trigger.tag_ids ?? [])
    setChatIds(e?.trigger.chat_ids ?? [])
    setSteps(e ? e.steps.map((s) => ({ day: s.day, minutes: s.minutes, at_time: s.at_time, text: s.text, item_ids: s.item_ids })) : [blankStep()])
    setTagsRemoved(e?.stop.tags_removed ?? [])
    setConverted(e?.stop.converted_tags ?? [])
    setStageIds(e?.trigger.stage_ids ?? [])
    setStopStages(e?.stop.stages ?? [])
    setError(null)
  }, [open, editing])

  const kinds = (target === 'customer' ? ['channel', 'tag_added', 'joined_group', 'stage_reached'] : ['group_created']) as TriggerKind[]
  const setStep = (i: number, patch: Partial<SopStep>) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)))
  const itemOptions = (items.data?.items ?? []).map((it) => ({
    label: `[${tr(...(KIND_NAMES[it.kind] ?? [it.kind, it.kind]))}] ${it.title}`,
    value: it.id,
  }))

  function problem(): string | null {
    if (!name.trim()) return tr('请填写 SOP 名称。', 'Give the SOP a name.')
    if (kind === 'channel' && !channelIds.length) return tr('请选择至少一个渠道活码。', 'Choose at least one channel code.')
    if (kind === 'tag_added' && !tagIds.length) return tr('请选择至少一个标签。', 'Choose at least one tag.')
    if (kind === 'stage_reached' && !stageIds.length) return tr('请选择至少一个客户阶段。', 'Choose at least one customer stage.')
    const empty = steps.findIndex((s) => !s.text.trim() && !s.item_ids.length)
    if (empty >= 0) return tr(`步骤 ${empty + 1} 需要话术或至少一个内容。`, `Step ${empty + 1} needs a text or at least one content item.`)
    const badTime = steps.findIndex((s) => s.at_time && !/^([01]\d|2[0-3]):[0-5]\d$/.test(s.at_time))
    if (badTime >= 0) return tr(`步骤 ${badTime + 1} 的时间应为 HH:MM。`, `Step ${badTime + 1}: the time must be HH:MM.`)
    return null
  }

  async function save() {
    const p = problem()
    setError(p)
    if (p) return
    setSaving(true)
    const body = {
      name,
      target,
      trigger: { kind, channel_ids: kind === 'channel' ? channelIds : [], tag_ids: kind === 'tag_added' ? tagIds : [], chat_ids: kind === 'joined_group' ? chatIds : [], stage_ids: kind === 'stage_reached' ? stageIds : [] },
      steps,
      stop: target === 'customer' ? { tags_removed: tagsRemoved, converted_tags: converted, stages: stopStages } : { tags_removed: [], converted_tags: [] },
    }
    try {
      if (editing) await put(`/sop/templates/${editing.id}`, body)
      else await post('/sop/templates', body)
      onSaved()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size="large"
      title={editing ? tr('编辑 SOP', 'Edit SOP') : tr('新建 SOP', 'New SOP')}
      extra={
        <Button type="primary" loading={saving} onClick={() => void save()} data-testid="sop-save">
          {tr('保存', 'Save')}
        </Button>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        {error && <Alert type="error" showIcon message={error} data-testid="sop-error" />}
        {editing && (
          <Alert type="info" showIcon message={tr('修改步骤只对之后开始的客户生效；进行中的客户按原步骤走完。停止条件立即生效。', 'Changed steps apply to runs started from now on; running customers finish the steps they started with. Stop conditions apply at once.')} />
        )}
        <Input placeholder={tr('SOP 名称，如：新客 7 天培育', 'SOP name, e.g. 7-day onboarding')} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} data-testid="sop-name" />
        <Card size="small" title={tr('触发条件', 'Trigger')}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Radio.Group
              value={target}
              disabled={!!editing}
              onChange={(e) => {
                setTarget(e.target.value)
                setKind(e.target.value === 'customer' ? 'channel' : 'group_created')
              }}
              options={[
                { label: tr('客户 SOP', 'Customer SOP'), value: 'customer' },
                { label: tr('客户群 SOP', 'Group SOP'), value: 'group' },
              ]}
            />
            <Select
              style={{ width: '100%' }}
              value={kind}
              onChange={setKind}
              options={kinds.map((k) => ({ label: tr(...TRIGGERS[k]), value: k }))}
              data-testid="sop-trigger"
            />
            {kind === 'stage_reached' && (
              <Select
                mode="multiple"
                style={{ width: '100%' }}
                placeholder={tr('客户进入这些阶段时开始', 'Start when a customer reaches one of these stages')}
                value={stageIds}
                onChange={setStageIds}
                options={stageOptions}
                data-testid="sop-trigger-stages"
              />
            )}
            {kind === 'channel' && (
              <Select
                mode="multiple"
                style={{ width: '100%' }}
                placeholder={tr('选择渠道活码', 'Choose channel codes')}
                value={channelIds}
                onChange={setChannelIds}
                loading={channels.loading}
                optionFilterProp="label"
                options={(channels.data?.items ?? []).map((c) => ({ label: c.name, value: c.id }))}
                notFoundContent={tr('还没有渠道活码，先去「渠道活码」创建。', 'No channel codes yet: create one under Channel codes.')}
                data-testid="sop-channels"
              />
            )}
            {kind === 'tag_added' && (
              <Select mode="multiple" style={{ width: '100%' }} placeholder={tr('客户被打上任一标签时开始', 'Starts when the customer gets any of these tags')} value={tagIds} onChange={setTagIds} options={dir.tagOptions} optionFilterProp="label" data-testid="sop-tags" />
            )}
            {kind === 'joined_group' && (
              <Select mode="multiple" style={{ width: '100%' }} placeholder={tr('加入这些群（留空 = 任意群）', 'Joined these chats (empty = any chat)')} value={chatIds} onChange={setChatIds} optionFilterProp="label" options={(chats.data?.items ?? []).map((g) => ({ label: g.name || tr('未命名群聊', 'Unnamed group chat'), value: g.chat_id }))} />
            )}
            {kind === 'group_created' && <Typography.Text type="secondary">{tr('每个新建的客户群开始一次，待办推给群主。', 'Runs once for every new group chat; to-dos go to its owner.')}</Typography.Text>}
          </Space>
        </Card>
        <Card size="small" title={tr('执行步骤', 'Steps')} extra={<Button size="small" icon={<PlusOutlined />} onClick={() => setSteps([...steps, { ...blankStep(), day: (steps.at(-1)?.day ?? 0) + 1 }])} disabled={steps.length >= 30} data-testid="sop-add-step">{tr('添加步骤', 'Add step')}</Button>}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {steps.map((s, i) => (
              <Card key={i} size="small" type="inner" title={tr(`步骤 ${i + 1}`, `Step ${i + 1}`)} data-testid={`sop-step-${i}`} extra={steps.length > 1 && <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => setSteps(steps.filter((_, j) => j !== i))} aria-label="remove step" />}>
                <Space wrap style={{ marginBottom: 8 }}>
                  <span>{tr('触发后第', 'Day')}</span>
                  <InputNumber min={0} max={365} value={s.day} onChange={(v) => setStep(i, { day: Number(v ?? 0) })} data-testid={`sop-step-${i}-day`} />
                  <span>{tr('天', '')}</span>
                  <Radio.Group
                    value={s.at_time ? 'time' : 'offset'}
                    onChange={(e) => setStep(i, e.target.value === 'time' ? { at_time: '20:00', minutes: 0 } : { at_time: '' })}
                    options={[
                      { label: tr('触发时间后', 'after the trigger'), value: 'offset' },
                      { label: tr('固定时间', 'at a time of day'), value: 'time' },
                    ]}
                  />
                  {s.at_time ? (
                    <Input style={{ width: 90 }} value={s.at_time} placeholder="20:00" onChange={(e) => setStep(i, { at_time: e.target.value })} />
                  ) : (
                    <>
                      <InputNumber min={0} max={1439} value={s.minutes} onChange={(v) => setStep(i, { minutes: Number(v ?? 0) })} data-testid={`sop-step-${i}-minutes`} />
                      <span>{tr('分钟', 'min')}</span>
                    </>
                  )}
                </Space>
                <Input.TextArea rows={2} maxLength={2000} placeholder={tr('发给客户的话术', 'What to say to the customer')} value={s.text} onChange={(e) => setStep(i, { text: e.target.value })} data-testid={`sop-step-${i}-text`} />
                <Select
                  mode="multiple"
                  style={{ width: '100%', marginTop: 8 }}
                  placeholder={tr('附带内容库素材（链接自动生成雷达链接）', 'Attach content (links become radar links)')}
                  value={s.item_ids}
                  onChange={(v) => setStep(i, { item_ids: v })}
                  options={itemOptions}
                  optionFilterProp="label"
                  maxCount={9}
                  notFoundContent={tr('内容库是空的，先添加素材。', 'The content library is empty: add items first.')}
                  data-testid={`sop-step-${i}-items`}
                />
              </Card>
            ))}
          </Space>
        </Card>
        {target === 'customer' && (
          <Card size="small" title={tr('停止条件', 'Stop conditions')}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Typography.Text type="secondary">{tr('客户删除员工或被员工删除时总会停止。', 'A run always stops when the customer and the employee part.')}</Typography.Text>
              <Select mode="multiple" style={{ width: '100%' }} placeholder={tr('已转化：客户被打上这些标签时停止', 'Converted: stop when one of these tags is added')} value={converted} onChange={setConverted} options={dir.tagOptions} optionFilterProp="label" />
              <Select mode="multiple" style={{ width: '100%' }} placeholder={tr('客户进入这些阶段时停止（如成交、流失）', 'Stop when the customer reaches one of these stages (e.g. won, lost)')} value={stopStages} onChange={setStopStages} options={stageOptions} data-testid="sop-stop-stages" />
              <Select mode="multiple" style={{ width: '100%' }} placeholder={tr('客户失去这些标签时停止', 'Stop when the customer loses one of these tags')} value={tagsRemoved} onChange={setTagsRemoved} options={dir.tagOptions} optionFilterProp="label" />
            </Space>
          </Card>
        )}
      </Space>
    </Drawer>
  )
}
