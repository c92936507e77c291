// The editable profile in the 1:1 sidebar: WeCom's remark fields of the employee's relation
// (written to WeCom by a durable job; the card shows when WeCom accepted them), birthday and
// the corp's custom fields (stored in Siyu).
import { useEffect, useState } from 'react'
import { Alert, Button, Card, DatePicker, Form, Input, InputNumber, Select, Tag, Typography } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { put, type Schemas } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'

type Profile = Schemas['ProfileOut']
type FieldValue = Schemas['FieldValueOut']

export function WriteStatus({ write }: { write: Profile['write'] }) {
  const { tr } = useI18n()
  if (!write) return null
  if (write.status === 'sent') return <Tag color="green" data-testid="profile-write-status">{tr('已同步到企业微信', 'Saved in WeCom')}</Tag>
  if (write.status === 'failed')
    return <Alert type="error" showIcon data-testid="profile-write-status" title={`${tr('同步到企业微信失败：', 'WeCom refused: ')}${write.error}`} />
  return <Tag color="processing" data-testid="profile-write-status">{tr('正在同步到企业微信…', 'Saving in WeCom…')}</Tag>
}

function CustomInput({ f, value, onChange }: { f: FieldValue; value?: unknown; onChange?: (v: unknown) => void }) {
  const { tr } = useI18n()
  if (f.type === 'number') return <InputNumber style={{ width: '100%' }} value={value as number | null} onChange={onChange} />
  if (f.type === 'date') return <DatePicker style={{ width: '100%' }} value={value as Dayjs | null} onChange={onChange} />
  if (f.type === 'select')
    return <Select allowClear value={value as string | undefined} onChange={onChange} options={f.options.map((o) => ({ value: o, label: o }))} placeholder={tr('请选择', 'Choose')} />
  return <Input maxLength={200} value={value as string} onChange={(e) => onChange?.(e.target.value)} />
}

function initial(p: Profile): Record<string, unknown> {
  const out: Record<string, unknown> = {
    remark: p.remark,
    description: p.description,
    remark_company: p.remark_company,
    remark_mobiles: p.remark_mobiles,
    birthday: p.birthday ? dayjs(p.birthday) : null,
  }
  for (const f of p.custom_fields) {
    const v = f.value
    out[`cf_${f.field_id}`] = v == null ? null : f.type === 'number' ? Number(v) : f.type === 'date' ? dayjs(v) : v
  }
  return out
}

export default function ProfileEditor({ customerId, profile, onSaved }: { customerId: number; profile: Profile; onSaved: (p: Profile) => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const [form] = Form.useForm()
  const [busy, setBusy] = useState(false)
  useEffect(() => form.setFieldsValue(initial(profile)), [profile, form])
  const save = async (v: Record<string, unknown>) => {
    const day = (d: unknown) => (d ? (d as Dayjs).format('YYYY-MM-DD') : '')
    const body: Record<string, unknown> = {
      birthday: day(v.birthday),
      custom_fields: profile.custom_fields.map((f) => {
        const x = v[`cf_${f.field_id}`]
        return { field_id: f.field_id, value: x == null ? '' : f.type === 'date' ? day(x) : String(x) }
      }),
    }
    if (profile.userid) {
      Object.assign(body, {
        userid: profile.userid,
        remark: v.remark ?? '',
        description: v.description ?? '',
        remark_mobiles: (v.remark_mobiles as string[] | undefined) ?? [],
        ...(profile.is_wechat_user ? { remark_company: v.remark_company ?? '' } : {}),
      })
    }
    setBusy(true)
    const out = await act(() => put<Profile>(`/customers/${customerId}/profile`, body), tr('已保存', 'Saved'))
    setBusy(false)
    if (out) onSaved(out)
  }
  return (
    <Card size="small" title={tr('客户资料', 'Profile')} extra={<WriteStatus write={profile.write} />} data-testid="sidebar-profile">
      <Form form={form} layout="vertical" size="small" onFinish={save} initialValues={initial(profile)}>
        {profile.userid ? (
          <>
            <Form.Item name="remark" label={tr('备注（同步企业微信）', 'Remark (saved in WeCom)')}>
              <Input maxLength={20} showCount data-testid="profile-remark" />
            </Form.Item>
            <Form.Item name="description" label={tr('描述', 'Description')}>
              <Input.TextArea maxLength={150} showCount rows={2} />
            </Form.Item>
            {profile.is_wechat_user && (
              <Form.Item name="remark_company" label={tr('备注企业', 'Company')}>
                <Input maxLength={20} />
              </Form.Item>
            )}
            <Form.Item name="remark_mobiles" label={tr('备注手机号（最多 5 个）', 'Remark mobiles (up to 5)')}>
              <Select mode="tags" tokenSeparators={[',', ' ', '，']} open={false} placeholder={tr('输入手机号后回车', 'Type a number, then Enter')} />
            </Form.Item>
          </>
        ) : (
          <Typography.Paragraph type="secondary">{tr('你与该客户没有跟进关系，备注等企业微信字段不可编辑。', 'You do not follow this customer: WeCom’s remark fields cannot be edited.')}</Typography.Paragraph>
        )}
        <Form.Item name="birthday" label={tr('生日', 'Birthday')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        {profile.custom_fields.map((f) => (
          <Form.Item key={f.field_id} name={`cf_${f.field_id}`} label={f.name}>
            <CustomInput f={f} />
          </Form.Item>
        ))}
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="profile-save">{tr('保存资料', 'Save profile')}</Button>
      </Form>
    </Card>
  )
}
