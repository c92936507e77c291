// 群活码: list (filters, server-sorted cursor pages, export), create / edit, QR / poster, stats.
import { useState } from 'react'
import { Alert, Button, Card, Empty, Form, Input, Popconfirm, Select, Space, Table, Tag } from 'antd'
import { DownloadOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { del, get, query, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { FilterBar, Pager, useCursorList } from '../../list'
import { useDirectory } from '../directory'
import GroupCodeModal from './GroupCodeModal'
import GroupCodeDrawer from './GroupCodeDrawer'
import type { ChatOption, GroupCode } from './types'

interface Filters {
  keyword?: string
  chat_id?: string
}

export default function GroupCodesPage() {
  const { tr } = useI18n()
  const [form] = Form.useForm<Filters>()
  const [filters, setFilters] = useState<Filters>({})
  const [creating, setCreating] = useState(false)
  const [editing, setEditing] = useState<GroupCode | null>(null)
  const [open, setOpen] = useState<GroupCode | null>(null)
  const dir = useDirectory()
  const act = useAction()
  const list = useCursorList<GroupCode>('/acquisition/group-codes', { ...filters }, { sort: '-created_at' })
  const chats = useLoad(() => get<Page<ChatOption>>('/groups', { limit: 500 }), [])
  const chatName = new Map((chats.data?.items ?? []).map((c) => [c.chat_id, c.name]))
  const page = list.page
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <FilterBar form={form} onApply={setFilters}>
        <Form.Item name="keyword">
          <Input allowClear placeholder={tr('名称 / 渠道参数', 'Name / state')} style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="chat_id">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={tr('群聊', 'Group chat')}
            style={{ width: 200 }}
            options={(chats.data?.items ?? []).map((c) => ({ value: c.chat_id, label: c.name || tr('未命名群聊', 'Unnamed group chat') }))}
          />
        </Form.Item>
      </FilterBar>
      <Card
        title={tr('群活码', 'Group codes')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void page.reload()} aria-label="reload" />
            <Button
              icon={<DownloadOutlined />}
              href={`/api/v1/acquisition/group-codes/export${query({ ...filters, sort: list.sort, format: 'xlsx' })}`}
            >
              {tr('导出', 'Export')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-group-code">
              {tr('新建群活码', 'New group code')}
            </Button>
          </Space>
        }
      >
        {page.error && <Alert type="error" showIcon title={page.error} style={{ marginBottom: 12 }} />}
        <Table<GroupCode>
          rowKey="id"
          size="middle"
          loading={page.loading}
          dataSource={page.data?.items ?? []}
          pagination={false}
          onChange={list.onChange}
          scroll={{ x: 900 }}
          locale={{
            emptyText: (
              <Empty
                description={tr(
                  '还没有群活码。点击「新建群活码」，把多个客户群放进一个二维码，群满自动切换或建新群。',
                  'No group codes yet. Click "New group code" to put several group chats behind one QR code that moves on (or opens a new group) when one fills.',
                )}
              />
            ),
          }}
          columns={[
            {
              title: tr('名称', 'Name'),
              dataIndex: 'name',
              ...list.sortable('name'),
              render: (name: string, c) => (
                <a data-testid="group-code-name" onClick={() => setOpen(c)}>
                  {name}
                </a>
              ),
            },
            {
              title: tr('群聊', 'Group chats'),
              dataIndex: 'chat_ids',
              render: (ids: string[]) => (
                <Space wrap size={[2, 4]}>
                  {ids.map((id) => (
                    <Tag key={id}>{chatName.get(id) || id}</Tag>
                  ))}
                </Space>
              ),
            },
            {
              title: tr('自动建群', 'Auto-create'),
              dataIndex: 'auto_create_room',
              render: (v: boolean, c) => (v ? <Tag color="green">{c.room_base_name}</Tag> : <Tag>{tr('否', 'No')}</Tag>),
            },
            { title: tr('累计入群', 'Joins'), dataIndex: 'joins' },
            { title: tr('创建时间', 'Created'), dataIndex: 'created_at', ...list.sortable('created_at'), render: fmtTime },
            {
              title: tr('操作', 'Actions'),
              key: 'actions',
              render: (_: unknown, c) => (
                <Space size="small">
                  <a href={`/api/v1/acquisition/group-codes/${c.id}/qr.png`} download>
                    {tr('二维码', 'QR')}
                  </a>
                  <a href={`/api/v1/acquisition/group-codes/${c.id}/poster.png`} download>
                    {tr('海报', 'Poster')}
                  </a>
                  <a onClick={() => setOpen(c)}>{tr('数据', 'Stats')}</a>
                  <a onClick={() => setEditing(c)}>{tr('编辑', 'Edit')}</a>
                  <Popconfirm
                    title={tr('删除后二维码失效，确定删除？', 'The QR code stops working. Delete?')}
                    onConfirm={async () => {
                      await act(() => del(`/acquisition/group-codes/${c.id}`), tr('已删除', 'Deleted'))
                      void page.reload()
                    }}
                  >
                    <a>{tr('删除', 'Delete')}</a>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
        <Pager list={list} />
      </Card>
      <GroupCodeModal
        open={creating || !!editing}
        editing={editing}
        chats={chats.data?.items ?? []}
        empName={dir.empName}
        onClose={(saved) => {
          setCreating(false)
          setEditing(null)
          if (saved) {
            void page.reload()
            setOpen(saved)
          }
        }}
      />
      <GroupCodeDrawer code={open} onClose={() => setOpen(null)} />
    </Space>
  )
}
