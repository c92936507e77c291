// 群活码: create / edit. Group chats come from the synced groups (WeCom takes at most 5);
// when all are full WeCom opens a new group named room_base_name + number.
import { useEffect } from 'react'
import { Alert, Form, Input, InputNumber, Modal, Select, Switch, Typography } from 'antd'
import { post, put } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import type { ChatOption, GroupCode } from './types'

interface Draft {
  name: string
  chat_ids: string[]
  auto_create_room: boolean
  room_base_name?: string
  room_base_id?: number
}

export default function GroupCodeModal({
  open,
  editing,
  chats,
  empName,
  onClose,
}: {
  open: boolean
  editing: GroupCode | null
  chats: ChatOption[]
  empName: (u: string) => string
  onClose: (saved?: GroupCode) => void
}) {
  const { tr } = useI18n()
  const [form] = Form.useForm<Draft>()
  const act = useAction()
  const auto = Form.useWatch('auto_create_room', form)
  useEffect(() => {
    if (!open) return
    form.resetFields()
    if (editing) form.setFieldsValue({ ...editing })
  }, [open, editing, form])
  const known = new Set(chats.map((c) => c.chat_id))
  const options = [
    ...chats.map((c) => ({
      value: c.chat_id,
      label: `${c.name || tr('(未命名)', '(unnamed)')} · ${empName(c.owner)} · ${c.member_count}/200`,
      disabled: c.member_count >= 200,
    })),
    // groups WeCom opened for the code may not be synced yet: keep them selectable
    ...(editing?.chat_ids ?? []).filter((c) => !known.has(c)).map((c) => ({ value: c, label: c })),
  ]
  const submit = async () => {
    let v: Draft
    try {
      v = await form.validateFields()
    } catch {
      return // the form shows what is missing
    }
    const body = { ...v, room_base_name: v.room_base_name ?? '', room_base_id: v.room_base_id ?? 1 }
    const saved = await act(
      () => (editing ? put<GroupCode>(`/acquisition/group-codes/${editing.id}`, body) : post<GroupCode>('/acquisition/group-codes', body)),
      editing ? tr('已保存', 'Saved') : tr('已创建', 'Created'),
    )
    if (saved) onClose(saved)
  }
  return (
    <Modal
      open={open}
      title={editing ? tr(`编辑群活码：${editing.name}`, `Edit: ${editing.name}`) : tr('新建群活码', 'New group code')}
      width={640}
      onCancel={() => onClose()}
      onOk={() => void submit()}
      okText={tr('保存', 'Save')}
      okButtonProps={{ 'data-testid': 'group-code-submit' } as Record<string, string>}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ auto_create_room: true, room_base_id: 1, chat_ids: [] }}>
        <Form.Item
          name="name"
          label={tr('活码名称', 'Name')}
          rules={[{ required: true, message: tr('请填写名称', 'Enter a name') }]}
        >
          <Input maxLength={100} placeholder={tr('例如：双十一福利群', 'e.g. Singles Day deals group')} />
        </Form.Item>
        <Form.Item
          name="chat_ids"
          label={tr('群聊', 'Group chats')}
          extra={tr(
            '按顺序分配：前一个群满 200 人后进入下一个群；最多 5 个群（企业微信限制）。',
            'Filled in order: when a group reaches 200 members, joins go to the next; at most 5 groups (WeCom limit).',
          )}
          rules={[
            { required: true, message: tr('至少选择一个群聊', 'Pick at least one group chat') },
            {
              validator: (_r, v: string[] | undefined) =>
                (v ?? []).length > 5 ? Promise.reject(new Error(tr('最多 5 个群聊', 'At most 5 group chats'))) : Promise.resolve(),
            },
          ]}
        >
          <Select
            mode="multiple"
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={tr('选择已同步的客户群', 'Pick synced group chats')}
            options={options}
            notFoundContent={tr('没有客户群：先在「同步」页面同步客户群。', 'No group chats: sync them on the Sync page first.')}
          />
        </Form.Item>
        <Form.Item name="auto_create_room" label={tr('群满后自动建群', 'Open a new group when full')} valuePropName="checked">
          <Switch />
        </Form.Item>
        {auto && (
          <>
            <Form.Item
              name="room_base_name"
              label={tr('新群名称', 'New group name')}
              rules={[{ required: true, message: tr('自动建群需要群名称', 'Auto-created groups need a name') }]}
              extra={tr('新群依次命名为「名称 + 序号」，群主为第一个群的群主。', 'New groups are named "name + number", owned by the first group\'s owner.')}
            >
              <Input maxLength={40} placeholder={tr('例如：福利群', 'e.g. Deals group')} />
            </Form.Item>
            <Form.Item name="room_base_id" label={tr('起始序号', 'First number')}>
              <InputNumber min={1} />
            </Form.Item>
          </>
        )}
        {editing && (
          <Alert
            type="info"
            showIcon
            title={
              <Typography.Text>
                {tr('修改后二维码不变，已扫码入群的统计保留。', 'The QR code stays the same; past joins are kept.')}
              </Typography.Text>
            }
          />
        )}
      </Form>
    </Modal>
  )
}
