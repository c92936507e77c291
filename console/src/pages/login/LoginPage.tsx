import { useEffect, useState } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom'
import { Alert, Button, Card, Divider, Form, Input, Segmented, Select, Typography } from 'antd'
import { LockOutlined, UserOutlined, WechatOutlined } from '@ant-design/icons'
import { get, post, type Schemas } from '../../api'
import { useAuth } from '../../auth'
import { useI18n } from '../../i18n'

export default function LoginPage() {
  const { me, reload } = useAuth()
  const { tr, lang, setLang } = useI18n()
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const next = params.get('next') || '/'
  // several corps: the page asks which one (or takes ?corp= from the URL) and remembers it
  const [corps, setCorps] = useState<Schemas['CorpChoice'][]>([])
  const [corp, setCorp] = useState<string | undefined>(
    params.get('corp') || localStorage.getItem('siyu.corp') || undefined,
  )
  useEffect(() => {
    get<Schemas['CorpChoice'][]>('/auth/corps')
      .then(setCorps)
      .catch(() => setCorps([]))
  }, [])
  const several = corps.length > 1
  const chosen = several && corps.some((c) => c.wecom_corp_id === corp) ? corp : undefined
  const choose = (value: string) => {
    setCorp(value)
    localStorage.setItem('siyu.corp', value)
  }
  const wecomHref = `/api/v1/auth/wecom/start?${new URLSearchParams({ next, ...(chosen ? { corp: chosen } : {}) })}`
  if (me) return <Navigate to={next} replace />
  const submit = async (values: { username: string; password: string }) => {
    if (several && !chosen) {
      setError(tr('请选择要登录的企业', 'Choose the corp to sign in to'))
      return
    }
    setBusy(true)
    setError(null)
    try {
      await post('/auth/login', { ...values, ...(chosen ? { corp: chosen } : {}) })
      await reload()
      navigate(next, { replace: true })
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: '100%', maxWidth: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {tr('私域 SCRM', 'Siyu SCRM')}
          </Typography.Title>
          <Segmented
            size="small"
            value={lang}
            onChange={(v) => setLang(v as 'zh' | 'en')}
            options={[
              { label: '中文', value: 'zh' },
              { label: 'EN', value: 'en' },
            ]}
          />
        </div>
        <Typography.Paragraph type="secondary">{tr('登录控制台', 'Sign in to the console')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        {several && (
          <div style={{ marginBottom: 16 }}>
            <Typography.Text>{tr('企业', 'Corp')}</Typography.Text>
            <Select
              data-testid="corp-choice"
              style={{ width: '100%', marginTop: 8 }}
              placeholder={tr('选择企业', 'Choose a corp')}
              value={chosen}
              onChange={choose}
              options={corps.map((c) => ({ value: c.wecom_corp_id, label: c.name }))}
            />
          </div>
        )}
        {params.get('wecom') && several && !chosen && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            message={tr('选择企业后，用企业微信登录', 'Choose your corp, then sign in with WeCom')}
          />
        )}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label={tr('用户名', 'Username')} rules={[{ required: true }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" label={tr('密码', 'Password')} rules={[{ required: true }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {tr('登录', 'Sign in')}
          </Button>
        </Form>
        <Divider plain>{tr('或', 'or')}</Divider>
        <Button block icon={<WechatOutlined />} href={wecomHref} disabled={several && !chosen}>
          {tr('企业微信登录', 'Sign in with WeCom')}
        </Button>
      </Card>
    </div>
  )
}
