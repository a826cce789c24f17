"""Hand-written customer messages on three subjects, for the topic tests (written for Rapport)."""

from __future__ import annotations

DELIVERY = [
    "My parcel is late again, the delivery was promised for Monday",
    "Where is my parcel? The delivery date passed three days ago",
    "@fjordandpine still no delivery, the tracking page says parcel delayed",
    "The courier never delivered my parcel, delivery failed twice",
    "Late delivery again! Parcel stuck at the depot https://track.example/123",
    "Delivery was supposed to arrive yesterday, parcel still missing",
    "Is my parcel lost? No delivery update for a week",
    "The delivery driver left my parcel at the wrong address",
    "Parcel tracking shows delivery delayed, when will it arrive?",
    "Ordered boots two weeks ago, still waiting for the delivery of my parcel",
]

BILLING = [
    "Why was I charged twice on my invoice this month?",
    "My invoice shows a double charge, please refund the extra payment",
    "Question about billing: the invoice amount is wrong",
    "I was charged twice for one order, can you check the invoice",
    "Can I get a copy of my invoice? The payment went through twice",
    "The billing page says payment failed but my card was charged",
    "Refund the duplicate payment please, the invoice lists it twice",
    "How do I change the billing address on my invoice?",
    "Charged twice again, billing support please check my payment",
    "The invoice total does not match the payment from my card",
]

PERSIAN_DELIVERY = [
    "سفارش من هنوز نرسیده است، ارسال خیلی دیر شده",
    "بسته من کجاست؟ ارسال سفارش یک هفته تاخیر دارد",
    "پیک بسته را تحویل نداد، سفارش من هنوز نرسیده",
    "کد رهگیری بسته کار نمی‌کند، سفارش کی می‌رسد؟",
    "ارسال بسته تاخیر دارد، لطفا پیگیری کنید",
    "سفارش دو هفته پیش ثبت شد و بسته هنوز نرسیده",
    "بسته به آدرس اشتباه ارسال شد، سفارش من کجاست",
    "تحویل سفارش عقب افتاده، بسته را کی ارسال می‌کنید؟",
    "پیگیری ارسال بسته: وضعیت سفارش تغییر نکرده",
    "بسته سفارش من گم شده است، ارسال انجام نشد",
]
