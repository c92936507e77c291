// 客户阶段 settings (a tab of the tags page): rename, change the kind, move up / down, add, delete.
import { useState } from 'react'
import { Alert, Button, Card, Input, Popconfirm, Select, Space, Table, Typography } from 'antd'
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons'
import { del, patch, post, put } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { STAGE_KINDS, useStages, type CustomerStage } from './stages'

export default function StageSettings({ canEdit }: { canEdit: boolean }) {
  const { tr } = useI18n()
  const act = useAction()
  const stages = useStages()
  const [name, setName] = useState('')
  const [kind, setKind] = useState('open')
  const rows = stages.data ?? []
  const kinds = Object.entries(STAGE_KINDS).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    if ((await act(fn, ok)) !== undefined) await stages.reload()
  }
  const move = (i: number, by: number) => {
    const ids = rows.map((s) => s.id)
    ;[ids[i], ids[i + by]] = [ids[i + by], ids[i]]
    void run(() => put('/customer-stages/order', { ids }), tr('顺序已保存', 'Order saved'))
  }
  return (
    <Card
      title={tr('客户阶段', 'Customer stages')}
      extra={
        <Typography.Text type="secondary">
          {tr('客户在详情中切换阶段；SOP 可按阶段触发或停止。', 'Move customers in their profile; SOPs can start or stop on a stage.')}
        </Typography.Text>
      }
    >
      {stages.error && <Alert type="error" showIcon title={stages.error} style={{ marginBottom: 12 }} />}
      <Table<CustomerStage>
        rowKey="id"
        size="small"
        pagination={false}
        loading={stages.loading}
        dataSource={rows}
        data-testid="stage-table"
        columns={[
          {
            title: tr('阶段', 'Stage'),
            dataIndex: 'name',
            render: (v: string, s) => (
              <Typography.Text
                data-testid="stage-name"
                editable={
                  canEdit && {
                    onChange: (next) => {
                      if (next.trim() && next.trim() !== v)
                        void run(() => patch(`/customer-stages/${s.id}`, { name: next }), tr('已重命名', 'Renamed'))
                    },
                  }
                }
              >
                {v}
              </Typography.Text>
            ),
          },
          {
            title: tr('类型', 'Kind'),
            dataIndex: 'kind',
            render: (v: string, s) => (
              <Select
                size="small"
                disabled={!canEdit}
                value={v}
                options={kinds}
                style={{ width: 110 }}
                onChange={(k) => void run(() => patch(`/customer-stages/${s.id}`, { kind: k }), tr('已保存', 'Saved'))}
              />
            ),
          },
          { title: tr('客户数', 'Customers'), dataIndex: 'customers' },
          ...(canEdit
            ? [
                {
                  title: tr('操作', 'Actions'),
                  key: 'actions',
                  render: (_: unknown, s: CustomerStage, i: number) => (
                    <Space>
                      <Button size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={`up-${s.name}`} />
                      <Button size="small" icon={<ArrowDownOutlined />} disabled={i === rows.length - 1} onClick={() => move(i, 1)} aria-label={`down-${s.name}`} />
                      <Popconfirm
                        title={tr('删除这个阶段？', 'Delete this stage?')}
                        onConfirm={() => run(() => del(`/customer-stages/${s.id}`), tr('已删除', 'Deleted'))}
                      >
                        <Button size="small" danger icon={<DeleteOutlined />} aria-label={`delete-${s.name}`} />
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {canEdit && (
        <Space.Compact style={{ marginTop: 12 }}>
          <Input
            maxLength={30}
            placeholder={tr('新阶段名称', 'New stage name')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="new-stage-name"
          />
          <Select value={kind} onChange={setKind} options={kinds} style={{ width: 110 }} />
          <Button
            type="primary"
            disabled={!name.trim()}
            onClick={() =>
              void run(() => post('/customer-stages', { name, kind }), tr('已添加', 'Added')).then(() => setName(''))
            }
          >
            {tr('添加阶段', 'Add stage')}
          </Button>
        </Space.Compact>
      )}
    </Card>
  )
}
