// Shown instead of the console while the signed-in user must change a password someone else
// gave them (an admin, `siyu user add`, the demo): every other API answers 403 until then.
import { useState } from 'react'
import { Alert, Button, Card, Form, Input, Typography } from 'antd'
import { post } from '../../api'
import { useAuth } from '../../auth'
import { useI18n } from '../../i18n'

export default function ChangePasswordPage() {
  const { me, reload, logout } = useAuth()
  const { tr } = useI18n()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (v: { current_password: string; new_password: string }) => {
    setBusy(true)
    setError(null)
    try {
      await post('/auth/password', { current_password: v.current_password, new_password: v.new_password })
      await reload()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: '100%', maxWidth: 400 }} data-testid="change-password">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {tr('请先修改密码', 'Change your password first')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {tr(
            `${me?.name ?? ''}，你正在使用管理员提供的一次性密码。设置你自己的密码后才能继续使用控制台。`,
            `${me?.name ?? ''}, you signed in with a one-time password someone gave you. Choose your own password to continue.`,
          )}
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            name="current_password"
            label={tr('当前密码（一次性密码）', 'Current (one-time) password')}
            rules={[{ required: true, message: tr('请输入当前密码', 'Enter the current password') }]}
          >
            <Input.Password id="current-password" autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            name="new_password"
            label={tr('新密码', 'New password')}
            rules={[
              { required: true, message: tr('请输入新密码', 'Enter a new password') },
              { min: 8, message: tr('新密码至少 8 个字符', 'At least 8 characters') },
            ]}
          >
            <Input.Password id="new-password" autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={tr('再次输入新密码', 'New password again')}
            dependencies={['new_password']}
            rules={[
              { required: true, message: tr('请再次输入新密码', 'Enter the new password again') },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  !value || getFieldValue('new_password') === value
                    ? Promise.resolve()
                    : Promise.reject(new Error(tr('两次输入的密码不一致', 'The two passwords differ'))),
              }),
            ]}
          >
            <Input.Password id="confirm-password" autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {tr('修改密码并继续', 'Change password and continue')}
          </Button>
          <Button type="link" block onClick={() => void logout()} style={{ marginTop: 8 }}>
            {tr('退出登录', 'Sign out')}
          </Button>
        </Form>
      </Card>
    </div>
  )
}
