// 群标签 (group tags): Siyu-only labels on customer group chats. The corp's list is managed here
// (admins and operators); a group's tags are set in its detail and in the group sidebar.
import { useState } from 'react'
import { Alert, Button, Input, Modal, Popconfirm, Select, Space, Table, Typography } from 'antd'
import { del, get, patch, post, put, type Schemas } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'

type GroupTag = Schemas['GroupTagOut']

export function GroupTagManager() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const act = useAction()
  const [open, setOpen] = useState(false)
  const [name, setName] = useState('')
  const tags = useLoad(() => (open ? get<GroupTag[]>('/group-tags') : Promise.resolve([])), [open])
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    if ((await act(fn, ok)) !== undefined) await tags.reload()
  }
  const canEdit = !!me?.full_access
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="group-tags-manage">{tr('群标签', 'Group tags')}</Button>
      <Modal open={open} onCancel={() => setOpen(false)} footer={null} title={tr('群标签', 'Group tags')} destroyOnHidden>
        <Typography.Paragraph type="secondary">
          {tr('企业微信没有客户群标签接口，群标签只保存在私域中；群主可在群侧边栏为群打标签。', 'WeCom has no API for group chat tags: they live in Siyu only; owners tag their groups in the group sidebar.')}
        </Typography.Paragraph>
        {tags.error && <Alert type="error" showIcon title={tags.error} />}
        {canEdit && (
          <Space.Compact style={{ width: '100%', marginBottom: 12 }}>
            <Input maxLength={15} value={name} onChange={(e) => setName(e.target.value)} placeholder={tr('新群标签名称', 'New group tag')} />
            <Button type="primary" disabled={!name.trim()} onClick={() => void run(async () => { await post('/group-tags', { name }); setName('') }, tr('已添加', 'Added'))}>
              {tr('添加', 'Add')}
            </Button>
          </Space.Compact>
        )}
        <Table<GroupTag>
          rowKey="id"
          size="small"
          pagination={false}
          loading={tags.loading}
          dataSource={tags.data ?? []}
          columns={[
            {
              title: tr('名称', 'Name'),
              dataIndex: 'name',
              render: (n: string, t) =>
                canEdit ? (
                  <Typography.Text editable={{ onChange: (v) => { if (v.trim() && v !== n) void run(() => patch(`/group-tags/${t.id}`, { name: v }), tr('已重命名', 'Renamed')) } }}>{n}</Typography.Text>
                ) : (
                  n
                ),
            },
            { title: tr('群数', 'Groups'), dataIndex: 'groups' },
            ...(canEdit
              ? [{
                  title: '',
                  key: 'del',
                  render: (_: unknown, t: GroupTag) => (
                    <Popconfirm title={tr('删除该群标签？已打在群上的也会移除。', 'Delete this tag? It is removed from every group.')} onConfirm={() => void run(() => del(`/group-tags/${t.id}`), tr('已删除', 'Deleted'))}>
                      <Button size="small" danger type="link">{tr('删除', 'Delete')}</Button>
                    </Popconfirm>
                  ),
                }]
              : []),
          ]}
        />
      </Modal>
    </>
  )
}

export function GroupTagSelect({ chatId }: { chatId: string }) {
  const { tr } = useI18n()
  const act = useAction()
  const all = useLoad(() => get<GroupTag[]>('/group-tags'), [])
  const mine = useLoad(() => get<Schemas['GroupSidebar']>(`/groups/${encodeURIComponent(chatId)}/sidebar`), [chatId])
  return (
    <Select
      mode="multiple"
      size="small"
      style={{ minWidth: 240 }}
      placeholder={tr('添加群标签', 'Add group tags')}
      loading={all.loading || mine.loading}
      value={(mine.data?.tags ?? []).map((t) => t.id)}
      options={(all.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
      onChange={async (ids: number[]) => {
        if ((await act(() => put(`/groups/${encodeURIComponent(chatId)}/tags`, { tag_ids: ids }), tr('群标签已更新', 'Group tags updated'))) !== undefined) void mine.reload()
      }}
    />
  )
}

export function GroupTagFilter({ value, onChange }: { value: number | undefined; onChange: (v: number | undefined) => void }) {
  const { tr } = useI18n()
  const all = useLoad(() => get<GroupTag[]>('/group-tags'), [])
  return (
    <Select
      allowClear
      style={{ width: 160 }}
      placeholder={tr('按群标签筛选', 'Filter by group tag')}
      loading={all.loading}
      value={value}
      onChange={(v?: number) => onChange(v)}
      options={(all.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
    />
  )
}
