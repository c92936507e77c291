// 客户字段 (custom fields, a tab of Settings): the fields an admin adds to every customer's
// profile — name, type (text, number, date, single choice with options) and order. Staff fill
// them in the sidebar and the values stay in Siyu (WeCom has no such field).
import { useState } from 'react'
import { Alert, Button, Card, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd'
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons'
import { del, get, patch, post, put, type Schemas } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'

type Field = Schemas['CustomFieldOut']

export const FIELD_TYPES: Record<string, [string, string]> = {
  text: ['文本', 'Text'],
  number: ['数字', 'Number'],
  date: ['日期', 'Date'],
  select: ['单选', 'Single choice'],
}

export default function CustomFieldSettings() {
  const { tr } = useI18n()
  const act = useAction()
  const fields = useLoad(() => get<Field[]>('/customer-fields'), [])
  const [name, setName] = useState('')
  const [type, setType] = useState('text')
  const [options, setOptions] = useState<string[]>([])
  const rows = fields.data ?? []
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    if ((await act(fn, ok)) !== undefined) await fields.reload()
  }
  const move = (i: number, by: number) => {
    const ids = rows.map((f) => f.id)
    ;[ids[i], ids[i + by]] = [ids[i + by], ids[i]]
    void run(() => put('/customer-fields/order', { ids }), tr('顺序已保存', 'Order saved'))
  }
  const types = Object.entries(FIELD_TYPES).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))
  return (
    <Card
      size="small"
      title={tr('客户字段', 'Customer fields')}
      extra={<Typography.Text type="secondary">{tr('员工在侧边栏填写；只保存在私域，不同步企业微信。', 'Staff fill them in the sidebar; kept in Siyu, not in WeCom.')}</Typography.Text>}
    >
      {fields.error && <Alert type="error" showIcon title={fields.error} style={{ marginBottom: 12 }} />}
      <Space wrap style={{ marginBottom: 12 }}>
        <Input maxLength={20} value={name} onChange={(e) => setName(e.target.value)} placeholder={tr('字段名称', 'Field name')} style={{ width: 160 }} data-testid="field-name" />
        <Select value={type} onChange={setType} options={types} style={{ width: 120 }} />
        {type === 'select' && (
          <Select mode="tags" value={options} onChange={setOptions} open={false} tokenSeparators={[',', '，']} placeholder={tr('选项，回车分隔', 'Options, Enter between')} style={{ minWidth: 220 }} />
        )}
        <Button
          type="primary"
          disabled={!name.trim()}
          data-testid="field-add"
          onClick={() =>
            void run(async () => {
              await post('/customer-fields', { name, type, options: type === 'select' ? options : [] })
              setName('')
              setOptions([])
            }, tr('已添加', 'Added'))
          }
        >
          {tr('添加字段', 'Add field')}
        </Button>
      </Space>
      <Table<Field>
        rowKey="id"
        size="small"
        pagination={false}
        loading={fields.loading}
        dataSource={rows}
        locale={{ emptyText: tr('还没有自定义字段', 'No custom fields yet') }}
        columns={[
          {
            title: tr('名称', 'Name'),
            dataIndex: 'name',
            render: (n: string, f) => (
              <Typography.Text editable={{ onChange: (v) => { if (v.trim() && v !== n) void run(() => patch(`/customer-fields/${f.id}`, { name: v }), tr('已重命名', 'Renamed')) } }}>{n}</Typography.Text>
            ),
          },
          { title: tr('类型', 'Type'), dataIndex: 'type', render: (t: string) => tr(...(FIELD_TYPES[t] ?? [t, t])) },
          { title: tr('选项', 'Options'), dataIndex: 'options', render: (o: string[]) => o.map((x) => <Tag key={x}>{x}</Tag>) },
          {
            title: '',
            key: 'actions',
            render: (_: unknown, f, i) => (
              <Space>
                <Button size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={tr('上移', 'Up')} />
                <Button size="small" icon={<ArrowDownOutlined />} disabled={i === rows.length - 1} onClick={() => move(i, 1)} aria-label={tr('下移', 'Down')} />
                <Popconfirm title={tr('删除该字段？所有客户的该字段值也会删除。', 'Delete this field and every customer’s value of it?')} onConfirm={() => void run(() => del(`/customer-fields/${f.id}`), tr('已删除', 'Deleted'))}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={tr('删除', 'Delete')} />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  )
}
