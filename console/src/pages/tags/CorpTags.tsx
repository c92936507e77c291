import { useState } from 'react'
import { Alert, Button, Card, Empty, Form, Input, InputNumber, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd'
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons'
import { get, patch, post, type TagGroup } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { orderWrites } from './order'
import { RowHandle, SortableItem, SortableList, SortableRow } from './Sortable'

type Editing = { kind: 'group' } | { kind: 'tags'; group: TagGroup } | { kind: 'rename'; id: string; name: string }

/** 企业标签: groups and tags mirrored with WeCom; drag a group's handle or a tag to reorder. */
export default function CorpTags() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const act = useAction()
  const groups = useLoad(() => get<TagGroup[]>('/tags/groups'), [])
  const [editing, setEditing] = useState<Editing | null>(null)
  const [form] = Form.useForm()
  const canEdit = !!me?.full_access
  // WeCom shows larger `order` first; the list arrives sorted that way.
  const sorted = [...(groups.data ?? [])].sort((a, b) => b.order - a.order)
  const [busy, setBusy] = useState(false)
  /** Write the new order to WeCom (PATCH per changed item, larger `order` first), then reload. */
  const reorder = async (items: { id: string; order: number }[], ids: string[], moved: string) => {
    const by = new Map(items.map((x) => [x.id, x]))
    const writes = orderWrites(ids.map((id) => by.get(id)!), moved)
    if (!writes.length) return
    setBusy(true)
    const ok = await act(async () => {
      for (const w of writes) await patch(`/tags/${w.id}`, { order: w.order })
      return true
    }, tr('顺序已更新', 'Order updated'))
    setBusy(false)
    void groups.reload()
    return ok
  }
  const tagsOf = (g: TagGroup) => [...g.tags].sort((a, b) => b.order - a.order)
  const save = async () => {
    let v: { name?: string; tags?: string; order?: number }
    try {
      v = await form.validateFields()
    } catch {
      return // the form shows what is missing
    }
    const tags = String(v.tags ?? '')
      .split(/[,，\s]+/)
      .filter(Boolean)
    let ok: unknown
    if (editing?.kind === 'group') ok = await act(() => post('/tags/groups', { name: v.name, tags, order: v.order ?? (sorted[0]?.order ?? 0) + 10 }), tr('已创建', 'Created'))
    if (editing?.kind === 'tags') ok = await act(() => post(`/tags/groups/${editing.group.group_id}/tags`, { tags }), tr('已添加', 'Added'))
    if (editing?.kind === 'rename') ok = await act(() => patch(`/tags/${editing.id}`, { name: v.name }), tr('已重命名', 'Renamed'))
    if (ok !== undefined) {
      setEditing(null)
      form.resetFields()
      void groups.reload()
    }
  }
  const remove = async (body: { tag_ids?: string[]; group_ids?: string[] }) => {
    if ((await act(() => post('/tags/delete', body), tr('已删除', 'Deleted'))) !== undefined) void groups.reload()
  }
  return (
    <Card
      title={tr('企业标签', 'Corp tags')}
      extra={
        canEdit && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'group' })}>
            {tr('新建标签组', 'New tag group')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">
        {tr('标签与企业微信双向同步：在这里的修改会先写入企业微信。', 'Tags are mirrored with WeCom: changes here are written to WeCom first.')}
      </Typography.Paragraph>
      {canEdit && (
        <Typography.Paragraph type="secondary">
          {tr('拖动标签组左侧的把手或拖动标签即可调整顺序（企业微信中同样生效）。', 'Drag a group by its handle, or drag a tag, to reorder (WeCom shows the same order).')}
        </Typography.Paragraph>
      )}
      {groups.error && <Alert type="error" showIcon title={groups.error} />}
      <SortableList ids={sorted.map((g) => g.group_id)} onMove={(ids, moved) => void reorder(sorted.map((g) => ({ id: g.group_id, order: g.order })), ids, moved)}>
      <Table<TagGroup>
        rowKey="group_id"
        data-testid="tag-groups"
        components={canEdit ? { body: { row: SortableRow } } : undefined}
        loading={groups.loading || busy}
        dataSource={sorted}
        pagination={false}
        scroll={{ x: 600 }}
        locale={{ emptyText: <Empty description={tr('还没有标签组。新建一个，例如「意向」或「会员等级」。', 'No tag groups yet. Create one, e.g. "Intent" or "Membership".')} /> }}
        columns={[
          ...(canEdit ? [{ key: 'drag', width: 36, render: () => <RowHandle label={tr('拖动排序', 'Drag to reorder')} /> }] : []),
          { title: tr('标签组', 'Group'), dataIndex: 'name', width: 160, render: (n: string) => <span data-testid="tag-group-name">{n}</span> },
          {
            title: tr('标签', 'Tags'),
            render: (_, g) => (
              <Space wrap size={[4, 6]} data-testid="tag-list">
                <SortableList horizontal ids={tagsOf(g).map((t) => t.tag_id)} onMove={(ids, moved) => void reorder(g.tags.map((t) => ({ id: t.tag_id, order: t.order })), ids, moved)}>
                {tagsOf(g).map((t) => (
                  <SortableItem key={t.tag_id} id={t.tag_id} disabled={!canEdit}>
                  <Tag data-testid="tag-chip" closable={canEdit} onClose={(e) => { e.preventDefault(); void remove({ tag_ids: [t.tag_id] }) }}>
                    <span onDoubleClick={() => canEdit && setEditing({ kind: 'rename', id: t.tag_id, name: t.name })}>{t.name}</span>
                  </Tag>
                  </SortableItem>
                ))}
                </SortableList>
                {canEdit && (
                  <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'tags', group: g })}>
                    {tr('添加', 'Add')}
                  </Button>
                )}
              </Space>
            ),
          },
          ...(canEdit
            ? [
                {
                  title: tr('操作', 'Actions'),
                  width: 120,
                  render: (_: unknown, g: TagGroup) => (
                    <Space>
                      <Button size="small" icon={<EditOutlined />} onClick={() => setEditing({ kind: 'rename', id: g.group_id, name: g.name })} aria-label="rename" />
                      <Popconfirm title={tr('删除整个标签组？', 'Delete the whole group?')} onConfirm={() => void remove({ group_ids: [g.group_id] })}>
                        <Button size="small" danger icon={<DeleteOutlined />} aria-label="delete" />
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      </SortableList>
      <Modal
        open={editing !== null}
        title={
          editing?.kind === 'group' ? tr('新建标签组', 'New tag group') : editing?.kind === 'tags' ? tr('添加标签', 'Add tags') : tr('重命名', 'Rename')
        }
        onOk={() => void save()}
        onCancel={() => { setEditing(null); form.resetFields() }}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false} initialValues={editing?.kind === 'rename' ? { name: editing.name } : {}}>
          {editing?.kind !== 'tags' && (
            <Form.Item name="name" label={tr('名称', 'Name')} rules={[{ required: true, max: 30 }]}>
              <Input />
            </Form.Item>
          )}
          {editing?.kind !== 'rename' && (
            <Form.Item name="tags" label={tr('标签 (逗号或空格分隔)', 'Tags (comma or space separated)')} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
          )}
          {editing?.kind === 'group' && (
            <Form.Item name="order" label={tr('排序 (越大越靠前)', 'Order (larger first)')}>
              <InputNumber min={0} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  )
}

