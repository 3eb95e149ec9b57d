export { startSmtpStandIn, type ReceivedEmail, type SmtpStandIn, type SmtpStandInOptions } from './smtp.js';
export { startWhatsAppStandIn, type WhatsAppStandIn, type WhatsAppStandInMessage, type WhatsAppStandInOptions, type WebhookDelivery } from './whatsapp.js';
export { startSmsStandIn, type SmsStandIn, type SmsStandInMessage } from './sms.js';
